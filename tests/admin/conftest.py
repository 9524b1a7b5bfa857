import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory

MODEL_BACKEND = "accounts.backends.UserBackend"


def saved_user(**kwargs):
    """A user from the factory, saved once more: tests.factories.UserFactory saves before setting the password
    (its post-generation "_save" runs before "password"), so a forced login would not survive the next request."""
    user = UserFactory(**kwargs)
    user.save()
    return user


def _staff(group_name, **kwargs):
    user = saved_user(is_staff=True, last_name="AGENT", **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def moderator():
    return _staff("Moderators", email="moderatrice@chorus-pro.example")


@pytest.fixture
def administrator():
    return _staff("Administrators", email="administrateur@chorus-pro.example")


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def administrator_client(administrator):
    client = Client()
    client.force_login(administrator, backend=MODEL_BACKEND)
    return client


@pytest.fixture(autouse=True)
def _french():
    """reverse() prefixes URLs with the active language, which a previous test's request may have left on English."""
    with translation.override("fr"):
        yield
