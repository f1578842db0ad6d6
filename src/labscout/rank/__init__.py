"""Ranking: retrieve works, fuse scores, roll works up to people and places."""
