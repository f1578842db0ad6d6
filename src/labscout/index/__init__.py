"""Indexes over the works in the store: lexical (BM25) and dense (embeddings)."""
