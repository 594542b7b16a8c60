"""The bank pages: bank accounts, statement upload, the inbox and the rules."""
