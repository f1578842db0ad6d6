"""Source adapters: each module reads one format and only yields records."""
