"""Bank statements: parse CAMT.053, MT940 and CSV, import them into an inbox, book them."""
