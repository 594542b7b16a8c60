"""Where a login comes from, in words a person knows: "Firefox 128 op Windows".

The account page lists a person's live sessions so they can spot one that is not theirs; a
raw User-Agent ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/...") says nothing to most people,
and on a phone it was cut off before the browser's name. ua-parser reads it with the list of
browsers and systems its project maintains; a text it does not know is shown as it came.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from ua_parser import parse

RAW_SHOWN = 60  # characters of an unknown User-Agent


def describe_device(user_agent: str | None) -> str:
    """The browser (with its major version) and the system, or the text as sent."""
    if not user_agent:
        return str(_("onbekend"))
    browser, system = _browser_and_system(user_agent)
    if browser is None:
        return user_agent if len(user_agent) <= RAW_SHOWN else user_agent[: RAW_SHOWN - 1] + "…"
    if system is None:
        return browser
    return str(_("%(browser)s op %(system)s", browser=browser, system=system))


@lru_cache(maxsize=256)
def _browser_and_system(user_agent: str) -> tuple[str | None, str | None]:
    """Parsed once per text: a person's sessions mostly share one."""
    result = parse(user_agent)
    agent, system = result.user_agent, result.os
    browser = None
    if agent is not None and agent.family != "Other":
        browser = f"{agent.family} {agent.major}" if agent.major else agent.family
    named_system = system.family if system is not None and system.family != "Other" else None
    return browser, named_system
