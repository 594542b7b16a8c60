"""Bureau staff pages: the organisations the bureau serves."""
