"""Measuring labscout: gold-standard protocol, metrics, and workload corpora."""
