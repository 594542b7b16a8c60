"""Every blueprint of the application, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.account import log, passwords, second_factor  # noqa: F401  (their routes)
    from app.account.views import blueprint as account
    from app.books.planning import blueprint as planning
    from app.books.reports import blueprint as reports
    from app.books.views import blueprint as books
    from app.bureau.jobs import blueprint as bureau_jobs
    from app.bureau.views import blueprint as bureau
    from app.dashboard.views import blueprint as dashboard
    from app.home.views import blueprint as home
    from app.members.views import blueprint as members

    second_factor.init_app(app)
    for blueprint in (home, account, passwords.blueprint, bureau, bureau_jobs, dashboard, members):
        app.register_blueprint(blueprint)
    passwords.init_app(app)  # limits the registered view
    for blueprint in (books, reports, planning):
        app.register_blueprint(blueprint)
    from app.bank.views import blueprint as bank

    app.register_blueprint(bank)
    from app.entry.corrections import blueprint as transactions
    from app.entry.views import blueprint as entry
    from app.orgsettings import security_log  # noqa: F401  (a route on orgsettings)
    from app.orgsettings.views import blueprint as orgsettings

    for blueprint in (entry, transactions, orgsettings):
        app.register_blueprint(blueprint)
    from app.payments.member import blueprint as pay
    from app.payments.views import blueprint as payments

    for blueprint in (payments, pay):
        app.register_blueprint(blueprint)
    from app.invoices.billing import blueprint as billing_bureau
    from app.invoices.bureau import blueprint as invoices_bureau
    from app.invoices.member import blueprint as invoices
    from app.invoices.plans import blueprint as plans_bureau
    from app.invoices.sepa import blueprint as sepa_bureau

    for blueprint in (invoices_bureau, plans_bureau, billing_bureau, sepa_bureau, invoices):
        app.register_blueprint(blueprint)
    from app.insurance.bureau import blueprint as insurance_bureau
    from app.insurance.member import blueprint as insurance

    for blueprint in (insurance_bureau, insurance):
        app.register_blueprint(blueprint)
