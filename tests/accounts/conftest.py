import re

import pytest

from tests.factories import UserFactory

NEW_PASSWORD = "Ornithorynque-Bleu-47"


@pytest.fixture
def pending_user():
    """An account created by a signup, waiting for its activation (no usable password yet)."""
    return UserFactory(
        not_activated=True,
        email="stephanie.dupond@aife.fr",
        contact_email="compta@aife.fr",
        first_name="Stéphanie",
        last_name="DUPOND",
        language="fr",
    )


def link_from(message, name):
    """The path of the link named ``name`` (activation/reset) in an email's text part."""
    match = re.search(r"https?://[^/\s]+(/\S*/" + name + r"/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def activation_path(message):
    return link_from(message, "activation")


def reset_path(message):
    return link_from(message, "password/reset")
