"""The first page after login: the organisations a person can open."""
