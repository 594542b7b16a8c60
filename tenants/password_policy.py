"""Which new passwords are accepted: long enough and hard to guess, as zxcvbn estimates.

zxcvbn (Dropbox's estimator, maintained on PyPI) recognises common and leaked passwords,
names, keyboard patterns, repeats, sequences and dates, and scores the guesses an attacker
needs from 0 to 4. Score 3 means about 10^8 guesses or more: with argon2id hashes that is out
of reach of an offline attack on a stolen database. The person's own e-mail address and name
count as easy guesses. The rule (``RULE``) is shown beside every field for a new password.

zxcvbn's dictionaries are English, so ``Voorjaar2026`` would pass as strong. Dutch words that
people here pick for a password (``COMMON_DUTCH_WORDS``) are passed to it with the person's
own details as easy guesses: zxcvbn still does the judging, the words only teach it our
language, and no rule of our own is added.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from ledger.errors import message
from tenants.errors import InvalidUser

MINIMUM_LENGTH = 10
MAXIMUM_LENGTH = 200
MINIMUM_SCORE = 3
# zxcvbn's cost grows with the length; a longer password only gets stronger, so the start
# of it is what is judged.
_JUDGED_LENGTH = 64
# Words a Dutch volunteer reaches for first: the application, the season, the organisation's
# kind and the treasurer's trade. Passed to zxcvbn as easy guesses, not checked by us.
COMMON_DUTCH_WORDS = (
    "servicebureau",
    "wachtwoord",
    "welkom",
    "geheim",
    "voorjaar",
    "lente",
    "zomer",
    "najaar",
    "herfst",
    "winter",
    "stichting",
    "vereniging",
    "penningmeester",
    "kascommissie",
    "boekhouding",
    "bestuur",
    "vrijwilliger",
    "buurthuis",
)

RULE = message(
    "Minstens 10 tekens en moeilijk te raden: geen veelgebruikt wachtwoord, geen naam of"
    " e-mailadres en geen reeks als 123456 of aaaaaa. Een zin van vier of meer woorden werkt goed."
)


class WeakPassword(InvalidUser):
    """A new password that is too short or too easy to guess."""


def check_new_password(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Refuse a password that breaks ``RULE``; ``user_inputs`` are the person's own details."""
    if len(password) < MINIMUM_LENGTH:
        raise WeakPassword(
            message("Een wachtwoord heeft minstens %(length)s tekens."),
            field="password",
            length=MINIMUM_LENGTH,
        )
    if len(password) > MAXIMUM_LENGTH:
        raise WeakPassword(
            message("Een wachtwoord heeft hoogstens %(length)s tekens."),
            field="password",
            length=MAXIMUM_LENGTH,
        )
    if not is_strong(password, user_inputs):
        raise WeakPassword(
            message(
                "Dit wachtwoord is te makkelijk te raden. Kies een langer wachtwoord, bijvoorbeeld"
                " een zin van vier of meer woorden."
            ),
            field="password",
        )


def is_strong(password: str, user_inputs: Iterable[str] = ()) -> bool:
    """True when zxcvbn scores the password at least ``MINIMUM_SCORE``."""
    inputs = [part for value in user_inputs for part in _parts(value)]
    inputs.extend(COMMON_DUTCH_WORDS)
    return int(zxcvbn(password[:_JUDGED_LENGTH], user_inputs=inputs)["score"]) >= MINIMUM_SCORE


def _parts(value: str) -> list[str]:
    """An address or name, whole and in pieces (``anna.de.groot@example.org`` gives ``groot``)."""
    lowered = value.lower().strip()
    pieces = lowered.replace("@", " ").replace(".", " ").replace("-", " ").split()
    return [lowered, *pieces] if lowered else []
