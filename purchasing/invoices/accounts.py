"""Which accounts an invoice and a payment are booked to, on the bureau's and the member's side."""

from __future__ import annotations

from purchasing.rating import Line

# The bureau's books.
RECEIVABLE = "Assets:Receivables:Members"
BUREAU_BANK = "Assets:Bank:Checking"
# Card, iDEAL and SEPA payments through Stripe sit at Stripe until its payout reaches the bank.
STRIPE_CLEARING = "Assets:Bank:Stripe"
FEE_INCOME = "Income:Members:Dues"
VAT_PAYABLE = "Liabilities:Taxes:VAT"
INSURER_PAYABLE = "Liabilities:Payables:Insurers"
PREMIUM_TAX_PAYABLE = "Liabilities:Taxes:Premium-Tax"
# Fees invoiced for months still to come: earned, and moved into income, month by month.
DEFERRED_INCOME = "Liabilities:Deferred:Invoiced"

# A member's books.
PAYABLE = "Liabilities:Payables:Bureau"
MEMBER_BANK = "Assets:Bank:Checking"
FEE_EXPENSE = "Expenses:Office:Subscriptions"
PREPAID_FEES = "Assets:Prepaid:Expenses"
PREPAID_INSURANCE = "Assets:Prepaid:Insurance"


def bureau_account_for(method: str) -> str:
    """Where the bureau books money received: its bank, or Stripe's balance until the payout."""
    return STRIPE_CLEARING if method == "stripe" else BUREAU_BANK


INSURANCE_EXPENSE: dict[Line, str] = {
    Line.VERZUIM: "Expenses:Staff:Sickness-Insurance",
    Line.AVB: "Expenses:Insurance:Liability",
    Line.DIRECTORS: "Expenses:Insurance:Liability",
    Line.HEALTH: "Expenses:Insurance:Other",
    Line.VOLUNTEERS: "Expenses:Insurance:Other",
}

# Accounts the default chart lacks, opened on first use: (Dutch label, English label, RGS).
EXTRA_ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    STRIPE_CLEARING: ("Tegoed bij Stripe (nog uit te betalen)", "Stripe balance", "BLimKru"),
    INSURER_PAYABLE: ("Te betalen premies aan verzekeraars", "Premiums payable to insurers", None),
    PREMIUM_TAX_PAYABLE: (
        "Te betalen assurantiebelasting",
        "Insurance premium tax payable",
        None,
    ),
    DEFERRED_INCOME: (
        "Vooruitgefactureerde bedragen (nog te verdienen)",
        "Amounts invoiced in advance (deferred income)",
        "BSchOpa",
    ),
}
