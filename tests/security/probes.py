"""Requests generated from the URL map: every rule and method, with its parts filled in.

Nothing here is a hand-kept list of pages: the rules come from ``app.url_map``, the form fields
and query parameters from the forms and links of the pages the application renders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, PathConverter, Rule

# Ordinary values for path parts, so a page is reached before its parameters are attacked.
PLAIN_PARTS = {"kind": "expense", "account": "Assets:Bank", "token": "onbekend", "job_id": "x"}
# Query parameters the pages read; the rendered forms and links add whatever else they use.
COMMON_QUERY = ("date", "from", "to", "before", "after", "q", "text", "account", "lang")
HOSTILE_TEXT = (
    "\x00\x01\x1f\x7f",
    "regel\r\nX-Injected: ja",
    "-99999999999999999999999999999",
    "0001-01-01",
    "9999-12-31_99999999999999999999",
    "\u202e\ufeff\U0001d518\u0301" * 20 + "x" * 1000,
)
HOSTILE_INTS = ("0", "9223372036854775808", "99999999999999999999999999")
# Logging out ends the probe's session; readiness answers 503 by design while no worker runs
# (its own tests, tests/ops/test_health.py, prove it answers and never fails otherwise).
SKIPPED_ENDPOINTS = frozenset({"static", "auth.logout", "health.readyz"})


@dataclass(frozen=True)
class Probe:
    """One request: method, path, query and form."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = {k: v[:20] for k, v in {**self.query, **self.form}.items()}
        return f"{self.method} {self.path[:120]} {shown}"


def rules(app: Flask) -> list[tuple[Rule, str]]:
    """Every rule and method the application serves, but static files and logging out."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def path_of(rule: Rule, slug: str, ids: Mapping[str, int], hostile: str | None = None) -> str:
    """The rule's path with every part filled: real ids and plain words, or ``hostile``."""
    parts = {}
    for name, converter in rule._converters.items():
        if hostile is not None:
            value = _int_or(hostile) if isinstance(converter, IntegerConverter) else hostile
        elif name == "slug":
            value = slug
        elif isinstance(converter, IntegerConverter):
            value = str(ids.get(name, 1))
        else:
            value = PLAIN_PARTS.get(name, "x")
        safe = "/:" if isinstance(converter, PathConverter) else ""
        parts[name] = quote(value, safe=safe) or "x"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: parts[m.group(1)], rule.rule)


def _int_or(hostile: str) -> str:
    """An integer part only matches digits: a hostile value becomes a huge or zero id."""
    return hostile if hostile.isdigit() else HOSTILE_INTS[len(hostile) % len(HOSTILE_INTS)]


class _FormReader(HTMLParser):
    """The field names of every form on a page, by the form's action and method."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.filled: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        self.links: set[str] = set()
        self._current: tuple[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urlsplit(values.get("action", "")).path
            self._current = (values.get("method", "get").upper(), action)
            self.forms[self._current]
        elif (
            tag in ("input", "select", "textarea", "button") and self._current and "name" in values
        ):
            self.forms[self._current].add(values["name"])
            self._note_filled(tag, values)
        elif tag == "option" and self._current and self._select and "value" in values:
            filled = self.filled[self._current]
            if self._select not in filled or "selected" in values:
                filled[self._select] = values["value"]  # the first option, or the chosen one
        elif tag == "a" and "?" in values.get("href", ""):
            self.links.add(values["href"])

    def _note_filled(self, tag: str, values: dict[str, str]) -> None:
        """What the page fills the field with: an input's value, a ticked box, a choice."""
        assert self._current is not None
        name, kind = values["name"], values.get("type", "text")
        if tag == "select":
            self._select = name
        elif tag == "input" and kind not in ("submit", "button", "file", "checkbox", "radio"):
            self.filled[self._current].setdefault(name, values.get("value", ""))
        elif tag == "input" and "checked" in values:
            self.filled[self._current][name] = values.get("value", "on")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@dataclass
class Fields:
    """What the rendered pages ask for: form fields by (method, action), query names by path."""

    forms: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    queries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # What the pages fill each form's fields with (the first page that shows the form).
    filled: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def read(self, page_path: str, html: str) -> None:
        reader = _FormReader()
        reader.feed(html)
        for (method, action), names in reader.forms.items():
            target = action or page_path
            self.forms[(method, target)] |= names - {"csrf_token"}
            filled = self.filled.setdefault((method, target), {})
            for name, value in reader.filled[(method, action)].items():
                if name != "csrf_token":
                    filled.setdefault(name, value)
            if method == "GET":
                self.queries[target] |= names
        for link in reader.links:
            split = urlsplit(link)
            self.queries[split.path or page_path] |= {name for name, _ in parse_qsl(split.query)}

    def form_for(self, method: str, path: str) -> set[str]:
        return self.forms.get((method, path), set())

    def query_for(self, path: str) -> set[str]:
        return set(COMMON_QUERY) | self.queries.get(path, set())


def hostile_probes(rule: Rule, method: str, slug: str, ids: Mapping[str, int], fields: Fields,
                   values: tuple[str, ...]) -> Iterator[Probe]:  # fmt: skip
    """For each hostile value: once in every path part, once in every query parameter or form
    field (the path plain), so a refusal of one part does not hide a failure of another."""
    plain = path_of(rule, slug, ids)
    names = fields.form_for(method, plain) if method != "GET" else fields.query_for(plain)
    seen = set()
    for value in values:
        paths = [path_of(rule, slug, ids, value)] if rule.arguments - {"slug"} else []
        for path in paths:
            if path not in seen:  # an id part turns many values into the same few numbers
                seen.add(path)
                yield Probe(method, path)
        filled = dict.fromkeys(names, value)
        if method == "GET":
            yield Probe(method, plain, query=filled)
        else:
            yield Probe(method, plain, form=filled)


# Values a person would type into an empty field, by what its name says it holds; the first
# pattern that matches decides.
PLAUSIBLE = (
    (re.compile(r"kvk"), "90000001"),
    (re.compile(r"rsin"), "002542420"),
    (re.compile(r"vat"), "NL000099998B57"),
    (re.compile(r"postcode"), "1234 AB"),
    (re.compile(r"country"), "NL"),
    (re.compile(r"iban"), "NL44RABO0123456789"),
    (re.compile(r"e-?mail"), "penningmeester@example.org"),
    (re.compile(r"amount|bedrag|premium|fee|price|rate|percent|_min$|_max$|total"), "10"),
    (re.compile(r"date|_on$|^from$|^to$|through|until|since|starts|ends"), "2026-06-15"),
    (re.compile(r"account|category|parent"), "Assets:Bank:Checking"),
    (re.compile(r"number|days|count|members|year|_id$|^id$"), "1"),
)


def plausible_form(fields: Fields, method: str, action: str) -> dict[str, str]:
    """The form as a person would send it: what the page fills in, and a plausible value (by
    the field's name) where it leaves a field empty."""
    filled = fields.filled.get((method, action), {})
    return {name: filled.get(name) or _plausible(name) for name in fields.form_for(method, action)}


def _plausible(name: str) -> str:
    lowered = name.lower()
    return next((value for pattern, value in PLAUSIBLE if pattern.search(lowered)), "Buurthuis")


def fingerprint(engine: Engine, schemas: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    """Rows and the newest row version of every table in ``schemas``: any insert, update or
    delete changes it. One query, a few milliseconds for a tenant's few dozen tables."""
    with engine.connect() as connection:
        tables = connection.execute(
            text(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(:schemas)"
                " ORDER BY 1, 2"
            ),
            {"schemas": list(schemas)},
        ).all()
        parts = [
            f'SELECT \'{s}.{t}\', count(*), coalesce(max(xmin::text::bigint), 0) FROM "{s}"."{t}"'
            for s, t in tables
            if s != "public" or t in SHARED_TABLES
        ]
        rows = connection.execute(text(" UNION ALL ".join(parts))).all()
    return tuple((str(name), int(count), int(newest)) for name, count, newest in rows)


# The shared tables a tenant request could touch; a log of logins may change on a refused login.
SHARED_TABLES = frozenset({"organisations", "memberships", "invitations", "users"})
