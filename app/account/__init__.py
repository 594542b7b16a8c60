"""The person's own account: sessions, password, second factor and security log."""
