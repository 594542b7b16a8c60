"""Documents the bureau sends: the invoice as a PDF, and its e-mails' texts."""
