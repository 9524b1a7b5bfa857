"""The password policy, one rule at a time: every password below breaks exactly the rule its test names."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from accounts.password_validation import character_groups, password_score

GOOD = "Ornithorynque-Bleu-47"


def codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


@pytest.fixture
def user():
    return User(email="stephanie.dupond@aife.fr", first_name="Stéphanie", last_name="DUPOND")


def test_a_good_password_passes_every_rule(user):
    assert codes(GOOD, user) == set()
    assert password_score(GOOD, user) >= 3


def test_shorter_than_12_characters_alone():
    # 11 characters, 4 groups, unguessable enough for zxcvbn: only the length rule fails.
    assert codes("Zq7!vK2#pW9") == {"password_too_short"}


def test_fewer_than_3_groups_alone():
    # Lower case letters and digits only, long and random: only the groups rule fails.
    assert codes("vqzk7wrp2mxt9hd4") == {"password_too_few_groups"}


def test_accented_letters_count_as_special_characters():
    assert character_groups("é") == {"special"}
    assert character_groups("Aa1é") == {"upper", "lower", "digit", "special"}
    # Lower case, digits and accents: three groups.
    assert "password_too_few_groups" not in codes("éléphant-vqzk7wrp")


def test_close_to_the_email_or_names_alone(user):
    assert "password_too_similar" in codes("Stephanie.Dupond@aife", user)
    assert "password_too_similar" not in codes(GOOD, user)


def test_a_common_password_alone():
    # In Django's list of common passwords, long enough and with 3 groups.
    assert "password_too_common" in codes("Password1234")


def test_a_guessable_password_alone():
    # 12+ characters, 3 groups, not in the common list, not like the user: zxcvbn still finds it guessable.
    assert codes("Azertyuiop12") == {"password_too_guessable"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "au moins 3 types de caractères"),
        ("en", "at least 3 types of characters"),
    ],
)
def test_messages_are_translated(language, expected):
    with translation.override(language):
        with pytest.raises(ValidationError) as error:
            validate_password("vqzk7wrp2mxt9hd4")
        assert expected in " ".join(error.value.messages)
        assert password_validators_help_texts()
