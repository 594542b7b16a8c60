"""Online payment of the bureau's invoices: our provider interface, Stripe, webhooks, mandates."""
