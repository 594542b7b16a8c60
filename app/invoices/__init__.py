"""Invoices on the web: the bureau's invoices, runs, arrears and SEPA; a member's own invoices."""
