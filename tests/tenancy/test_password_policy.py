"""The password policy refuses short, common and guessable passwords and accepts good ones."""

from __future__ import annotations

import pytest

from tenants.password_policy import WeakPassword, check_new_password
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaa", "1234567890", "password123", "qwertyuiop", "iloveyou12", "Welcome2024"],
)
def test_common_and_patterned_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_new_password(password)


def test_a_password_shorter_than_ten_characters_is_refused_however_random():
    with pytest.raises(WeakPassword, match="minstens 10 tekens"):
        check_new_password("Xq7#vL2!p")


def test_a_password_made_of_the_persons_own_address_is_refused():
    check_new_password("groenevelden2031")
    with pytest.raises(WeakPassword):
        check_new_password("groenevelden2031", ["groenevelden2031@example.org", "Anna"])


@pytest.mark.parametrize("password", [PASSWORD, "paarse fiets onder de brug", "Kv8!rT2#mQ9z"])
def test_a_passphrase_or_a_random_password_is_accepted(password):
    check_new_password(password)


@pytest.mark.parametrize(
    "password",
    ["Wachtwoord2026!", "welkom2026!", "Voorjaar2026", "Servicebureau1!", "Stichting2026"],
)
def test_a_common_dutch_password_is_refused_though_zxcvbn_knows_only_english(password):
    with pytest.raises(WeakPassword):
        check_new_password(password)


def test_the_name_of_the_persons_organisation_is_an_easy_guess():
    check_new_password("Zonnebloem2026")
    with pytest.raises(WeakPassword):
        check_new_password("Zonnebloem2026", ["Stichting De Zonnebloem"])
