"""Reports on one organisation's books: plain dataclasses computed from the balance buckets."""
