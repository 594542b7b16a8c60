"""Every field on the entry, transaction and settings pages has a label a screen reader reads."""

from __future__ import annotations

from tenants.roles import Role
from tests.web.test_forms_are_labelled import unlabelled_fields


def test_entry_transaction_audit_and_settings_pages_label_every_field(
    app, make_org, make_user, login_as
):
    org = make_org()
    client = app.test_client()
    login_as(client, make_user(org=org, role=Role.OWNER))
    posted = client.post(
        f"/o/{org.slug}/entry/expense",
        data={
            "date": "2026-03-05",
            "amount": "5",
            "money_account": "Assets:Cash",
            "category": "Expenses:Office:Supplies",
        },
    )
    transaction = posted.headers["Location"]
    paths = [f"/o/{org.slug}/entry/{kind}" for kind in ("expense", "income", "transfer", "full")]
    paths += [transaction, transaction + "/edit", f"/o/{org.slug}/audit", f"/o/{org.slug}/settings"]
    paths += [f"/o/{org.slug}/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert unlabelled_fields(response.get_data(as_text=True)) == [], path
