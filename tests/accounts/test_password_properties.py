"""Property tests of the password policy (seed 000: 12 characters, 3 of the 4 groups, plus similarity, common and
zxcvbn checks), through Django's ``validate_password`` as every password form calls it."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import User

pytestmark = pytest.mark.django_db

USER = User(email="stephanie.dupond@example.fr", first_name="Stéphanie", last_name="DUPOND")


def refused(password):
    try:
        validate_password(password, USER)
    except ValidationError:
        return True
    return False


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=11))
def test_every_password_under_12_characters_is_refused(password):
    assert refused(password)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=12, max_size=80))
def test_lower_case_letters_alone_are_refused_whatever_the_length(password):
    assert refused(password)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_never_an_error(password):
    # Control characters, NUL, emoji, very long strings: accepted or refused with a message, never a crash.
    refused(password)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Ornithorynque", "Bleu", "Lagune", "Cèdre", "Quartz", "Zéphyr"]),
        min_size=3,
        max_size=4,
        unique=True,
    ),
    st.integers(min_value=10, max_value=99),
    st.sampled_from("!?#%&*+-"),
)
def test_long_unusual_passphrases_with_three_groups_are_accepted(words, number, symbol):
    password = "-".join(words) + symbol + str(number)
    assert not refused(password)
