"""Alembic streams: ``public`` for the shared schema, ``tenant`` for every organisation's schema."""
