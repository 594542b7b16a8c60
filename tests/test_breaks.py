"""Where a long account name may break on a phone: soft hyphens at its syllables, nowhere else."""

from __future__ import annotations

import pytest

from app.breaks import LONG_WORD, SOFT_HYPHEN, breakable


def test_a_long_dutch_word_may_break_at_its_syllables_and_reads_the_same() -> None:
    broken = breakable("Vrijwilligersvergoedingen")

    assert broken.replace(SOFT_HYPHEN, "") == "Vrijwilligersvergoedingen"
    assert broken.split(SOFT_HYPHEN) == ["Vrij", "wil", "li", "gers", "ver", "goe", "din", "gen"]


def test_an_english_label_breaks_by_english_rules() -> None:
    assert breakable("Accommodation", "en") == "Accommodation"  # 13 letters: short enough
    english = breakable("Telecommunications", "en").split(SOFT_HYPHEN)
    dutch = breakable("Telecommunications", "nl").split(SOFT_HYPHEN)
    assert english == ["Tele", "com", "mu", "nic", "a", "tions"]
    assert dutch == ["Te", "le", "com", "mu", "ni", "ca", "ti", "ons"]
    assert breakable("Telecommunications", "de") == breakable("Telecommunications", "nl")


@pytest.mark.parametrize(
    "label",
    [
        "Huur van het buurthuis",  # no word is long
        "Rekening-courant bank",  # a hyphen of its own already breaks it
        "Reservering2026kosten",  # digits: a code, not a word
        "x" * (LONG_WORD - 1),
        "",
    ],
)
def test_short_words_codes_and_hyphenated_words_are_left_as_they_are(label: str) -> None:
    assert breakable(label) == label


def test_the_words_around_a_long_one_keep_their_spaces() -> None:
    broken = breakable("Overige  Kantoorbenodigdheden gemeente")
    assert broken.replace(SOFT_HYPHEN, "") == "Overige  Kantoorbenodigdheden gemeente"
