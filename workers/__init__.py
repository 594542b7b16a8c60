"""Background jobs on rq: thin functions over domain services, plus the worker entry point."""
