"""The bureau's invoices: numbering, parties, lines, both sides' bookings, payments, credits."""
