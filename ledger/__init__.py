"""One organisation's books: double-entry with Beancount semantics, stored in its own schema."""
