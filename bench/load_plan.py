"""Who asks for what: logging people in through the real form, and the requests they make.

Every person logs in from a loopback address of their own (127.0.x.y: the login limit counts
per address, as it would for people at different homes) and names that address in
``X-Forwarded-For`` on every request, as a proxy in front would: Flask-Login's "strong"
session protection ties a session to the address and the User-Agent it was made with. Each
session fetches a form once for its CSRF token; POSTs carry it, as a browser's would.
"""

from __future__ import annotations

import http.client
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import pyotp

from bench.load_data import PASSWORD, Organisation, Person

USER_AGENT = "servicebureau-bench/1"
TODAY = "2026-12-06"  # any day in the open period after the generated history
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Login:
    """A logged-in person: what every request of theirs carries."""

    person: Person
    address: str
    cookie: str
    csrf: str | None


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    body: str = ""


def log_in(port: int, person: Person, number: int, base: int) -> Login:
    """Log ``person`` in through ``/login`` from their own address; fetch a CSRF token."""
    address = f"127.{base}.{number // 250}.{number % 250 + 2}"
    client = _Client(port, address)
    page = client.send("GET", "/login")
    form = {"email": person.email, "password": PASSWORD, "csrf_token": _token(page)}
    client.send("POST", "/login", urlencode(form), expect=302)
    if person.second_factor is not None:
        code = pyotp.TOTP(person.second_factor).now()
        form = {"code": code, "csrf_token": _token(client.send("GET", "/login/code"))}
        client.send("POST", "/login/code", urlencode(form), expect=302)
    csrf = None
    if person.role in ("owner", "bookkeeper") and person.organisation is not None:
        csrf = _token(client.send("GET", f"/o/{person.organisation.slug}/entry/expense"))
    return Login(person, address, client.cookie_header(), csrf)


def check(port: int, login: Login, request: Request) -> int:
    """One request as wrk will send it, from the person's address: its status."""
    client = _Client(port, login.address, login.cookie)
    return client.status(request.method, request.path, request.body)


def raw(login: Login, request: Request, port: int) -> str:
    """The request as bytes on the wire, for wrk to send as it is."""
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {USER_AGENT}",
        f"X-Forwarded-For: {login.address}",
        f"Cookie: {login.cookie}",
    ]
    if request.method == "POST":
        lines += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(request.body.encode())}",
        ]
    return "\r\n".join(lines) + "\r\n\r\n" + request.body


def _token(html: str) -> str:
    found = _CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


class _Client:
    """Plain HTTP from one source address, keeping the cookies the server sets."""

    def __init__(self, port: int, address: str, cookie: str = "") -> None:
        self.port, self.address = port, address
        self.cookies = dict(part.split("=", 1) for part in cookie.split("; ") if part)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def status(self, method: str, path: str, body: str = "") -> int:
        return self._exchange(method, path, body)[0]

    def send(self, method: str, path: str, body: str = "", expect: int = 200) -> str:
        status, text = self._exchange(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status}, expected {expect}")
        return text

    def _exchange(self, method: str, path: str, body: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )
        headers = {"User-Agent": USER_AGENT, "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body.encode() or None, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name.strip()] = value
            return response.status, text
        finally:
            connection.close()


# What a treasurer or bookkeeper does, by weight; viewers do the same without entering.
PageMaker = Callable[[Organisation, random.Random], Request]


def _journal_filtered(org: Organisation, rng: random.Random) -> Request:
    query = rng.choice(
        (
            "account=Expenses%3AOffice%3ASupplies",
            "q=Huur",
            "from=2025-06-01&to=2025-06-30",
            "tag=buurthuis",
        )
    )
    return Request("journal, filtered", "GET", f"/o/{org.slug}/journal?{query}")


def _balance_sheet(org: Organisation, rng: random.Random) -> Request:
    query = rng.choice(("", "?date=2025-12-31"))
    return Request("balance sheet", "GET", f"/o/{org.slug}/reports/balance-sheet{query}")


def _income_statement(org: Organisation, rng: random.Random) -> Request:
    query = rng.choice(("", "?from=2025-01-01&to=2025-12-31"))
    return Request("income statement", "GET", f"/o/{org.slug}/reports/income-statement{query}")


def _trial_balance(org: Organisation, rng: random.Random) -> Request:
    query = rng.choice(("", "?date=2025-12-31"))
    return Request("trial balance", "GET", f"/o/{org.slug}/reports/trial-balance{query}")


def _account(org: Organisation, rng: random.Random) -> Request:
    name = rng.choice(("Assets:Bank:Checking", "Expenses:Staff:Salaries", "Income:Members:Dues"))
    query = rng.choice(("", "?from=2025-01-01&to=2025-12-31"))
    return Request("account page", "GET", f"/o/{org.slug}/accounts/{name}{query}")


def _invoices(org: Organisation, rng: random.Random) -> Request:
    if rng.random() < 0.6:
        return Request("invoices", "GET", f"/o/{org.slug}/invoices")
    invoice_id = rng.choice(org.invoice_ids)
    return Request("invoices", "GET", f"/o/{org.slug}/invoices/{invoice_id}")


def _simple(kind: str, path: str) -> PageMaker:
    return lambda org, rng: Request(kind, "GET", f"/o/{org.slug}{path}")


READING: tuple[tuple[PageMaker, int], ...] = (
    (_simple("dashboard", "/"), 14),
    (_simple("journal", "/journal"), 10),
    (_journal_filtered, 8),
    (
        lambda org, rng: Request(
            "journal, next page", "GET", f"/o/{org.slug}/journal?before={org.cursor}"
        ),
        4,
    ),
    (_balance_sheet, 7),
    (_income_statement, 7),
    (_trial_balance, 5),
    (_account, 10),
    (_simple("bank inbox", "/bank/inbox"), 7),
    (_invoices, 6),
)
ENTERING: tuple[tuple[PageMaker, int], ...] = ((_simple("expense form", "/entry/expense"), 4),)
POSTING_WEIGHT = 8
STAFF_PAGES = ("/bureau/invoices", "/bureau/organisations", "/bureau/invoices/{invoice}")


def expense(org: Organisation, csrf: str, rng: random.Random) -> Request:
    """The money-out form as a bookkeeper fills it in."""
    form = {
        "csrf_token": csrf,
        "date": TODAY,
        "amount": f"{rng.randint(1, 250)},{rng.randint(0, 99):02d}",
        "payee": "Bol.com",
        "narration": "Kantoorartikelen (bench)",
        "money_account": "Assets:Bank:Checking",
        "category": "Expenses:Office:Supplies",
    }
    return Request("posting an expense", "POST", f"/o/{org.slug}/entry/expense", urlencode(form))


def requests_of(login: Login, rng: random.Random, invoice_ids: Sequence[int]) -> list[Request]:
    """One of each kind of request this person makes, with the weight of each in their day."""
    org = login.person.organisation
    if org is None:
        path = rng.choice(STAFF_PAGES).format(invoice=rng.choice(invoice_ids))
        return [Request("bureau pages", "GET", path)]
    pages = [maker(org, rng) for maker, _weight in READING]
    if login.csrf is not None:
        pages += [maker(org, rng) for maker, _weight in ENTERING]
        pages.append(expense(org, login.csrf, rng))
    return pages


def weights_of(login: Login) -> list[int]:
    if login.person.organisation is None:
        return [1]
    weights = [weight for _maker, weight in READING]
    if login.csrf is not None:
        weights += [weight for _maker, weight in ENTERING] + [POSTING_WEIGHT]
    return weights


def mixed(
    logins: Sequence[Login], count: int, seed: int, invoice_ids: Sequence[int]
) -> list[tuple[Login, Request]]:
    """``count`` requests: a person at random, then one of their requests by its weight."""
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        login = rng.choice(logins)
        request = rng.choices(requests_of(login, rng, invoice_ids), weights_of(login))[0]
        drawn.append((login, request))
    return drawn


def of_kind(mix: Sequence[tuple[Login, Request]], kind: str) -> list[tuple[Login, Request]]:
    return [(login, request) for login, request in mix if request.kind == kind]
