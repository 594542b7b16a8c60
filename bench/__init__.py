"""Benchmarks: figures to compare over time and against peers; never timed assertions."""
