"""Password rules of the portal, as Django password validators (wired in ``AUTH_PASSWORD_VALIDATORS``).

Seeds 000/001: at least 12 characters and at least 3 types of characters among upper case, lower case, digits and
special characters ("ponctuation, accents, etc."): an accented letter counts as a special character. On top of
that: not close to the user's email or names, not a common password (Django's validators) and a zxcvbn score of at
least 3 out of 4.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from zxcvbn import zxcvbn

GROUPS = {
    "upper": _("upper case letters"),
    "lower": _("lower case letters"),
    "digit": _("digits"),
    "special": _("special characters (punctuation, accents, etc.)"),
}

# zxcvbn scores 0–4, as shown by the "Password complexity" meter.
SCORE_LABELS = {
    0: _("Very insufficient"),
    1: _("Insufficient"),
    2: _("Average"),
    3: _("Satisfactory"),
    4: _("Very satisfactory"),
}


def character_groups(password: str) -> set[str]:
    """The groups present in ``password``: only A–Z, a–z and 0–9 are letters and digits; anything else,
    accented letters included, is a special character."""
    found = set()
    for char in password:
        if "A" <= char <= "Z":
            found.add("upper")
        elif "a" <= char <= "z":
            found.add("lower")
        elif "0" <= char <= "9":
            found.add("digit")
        else:
            found.add("special")
    return found


def user_inputs(user) -> list[str]:
    """What zxcvbn must consider guessable for this user: the parts of their email addresses and names."""
    if user is None:
        return []
    inputs = []
    for attribute in ("email", "contact_email", "first_name", "last_name"):
        value = getattr(user, attribute, "") or ""
        if value:
            inputs.append(value)
            inputs.extend(part for part in value.replace("@", " ").replace(".", " ").split() if part)
    return inputs


ZXCVBN_MAX_LENGTH = 72


def password_score(password: str, user=None) -> int:
    """zxcvbn's score (0–4) of ``password``, knowing the user's own data."""
    # zxcvbn refuses passwords longer than 72 characters (ValueError): it scores their first 72 characters, which
    # already make any long password strong. Its date matcher crashes on digits followed by a line break (its
    # `^\d{4,8}$` also matches before a final "\n"): line breaks are scored as spaces.
    scored = password[:ZXCVBN_MAX_LENGTH].replace("\r", " ").replace("\n", " ")
    if not scored:
        return 0  # zxcvbn fails on the empty string (IndexError)
    return zxcvbn(scored, user_inputs=user_inputs(user))["score"]


class CharacterGroupsValidator:
    """At least ``min_groups`` of the four groups: upper case, lower case, digits, special characters."""

    def __init__(self, min_groups=3):
        self.min_groups = min_groups

    def validate(self, password, user=None):
        if len(character_groups(password)) < self.min_groups:
            raise ValidationError(self.get_error_message(), code="password_too_few_groups")

    def get_error_message(self):
        return ngettext(
            "This password must contain at least %(count)d type of characters among upper case letters, "
            "lower case letters, digits and special characters (punctuation, accents, etc.).",
            "This password must contain at least %(count)d types of characters among upper case letters, "
            "lower case letters, digits and special characters (punctuation, accents, etc.).",
            self.min_groups,
        ) % {"count": self.min_groups}

    def get_help_text(self):
        return ngettext(
            "Your password must contain at least %(count)d type of characters among upper case letters, "
            "lower case letters, digits and special characters (punctuation, accents, etc.).",
            "Your password must contain at least %(count)d types of characters among upper case letters, "
            "lower case letters, digits and special characters (punctuation, accents, etc.).",
            self.min_groups,
        ) % {"count": self.min_groups}


class ZxcvbnValidator:
    """A zxcvbn score of at least ``min_score`` (0 = too guessable … 4 = very unguessable)."""

    def __init__(self, min_score=3):
        self.min_score = min_score

    def validate(self, password, user=None):
        if password_score(password, user) < self.min_score:
            raise ValidationError(
                _(
                    "This password is too easy to guess. Make it longer, mix unrelated words, and avoid names, "
                    "dates and keyboard sequences."
                ),
                code="password_too_guessable",
            )

    def get_help_text(self):
        return _("Your password must be hard to guess (avoid names, dates and keyboard sequences).")
