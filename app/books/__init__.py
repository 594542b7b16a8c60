"""The books in the browser: reports, journal, account ledger and the Beancount export."""
