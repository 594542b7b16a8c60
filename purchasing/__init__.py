"""The bureau's side: insurance pools, premium splits, membership plans, invoices, payments."""
