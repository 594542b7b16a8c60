"""SEPA direct debit without a payment provider: mandates, pain.008 batches, settlement."""
