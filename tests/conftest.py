import importlib
import os

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation

# The browser tests drive Chromium through Playwright's synchronous API, which runs an event loop in the test
# thread; the ORM calls the tests make there are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser"]


@pytest.hookimpl(tryfirst=True)  # before pytest-django's own (tryfirst too) sorts the tests by these markers
def pytest_collection_modifyitems(config, items):
    """Every test may use the database; browser tests need real commits (the live server is another thread).

    Marked before pytest-django orders the tests, so that every test using the database runs before the
    transactional ones, whose flush would otherwise empty the data of the migrations (workspace catalogue)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.django_db(transaction=True))
        elif not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture
def workspace_catalogue():
    """The workspace catalogue of migration 0002, loaded again: a transactional test starts after another one's
    flush, which empties the tables the migrations filled."""
    importlib.import_module("workspaces.migrations.0002_catalogue").load_catalogue(apps, None)


@pytest.fixture
def manager_world(workspace_catalogue):
    """A primary manager of a structure with a service, a member and a pending request (the pages of
    tests/test_page_markup.py and tests/test_template_loader.py)."""
    from structures.models import AttachmentRequest, Scope
    from tests.factories import MembershipFactory, ServiceFactory, StructureFactory, UserFactory

    structure = StructureFactory(corporate_name="M A SOCIETE")
    ServiceFactory(structure=structure)
    manager = UserFactory(email="jean.martin@example.fr", first_name="Jean", last_name="MARTIN")
    MembershipFactory(user=manager, structure=structure, primary=True)
    MembershipFactory(structure=structure)
    AttachmentRequest.objects.create(user=UserFactory(), structure=structure, scope=Scope.STRUCTURE)
    return structure, manager


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _portal_settings(settings, monkeypatch):
    from captcha.conf import settings as captcha_settings

    settings.CAPTCHA_TEST_MODE = True
    settings.PORTAL_CAPTCHA_TEST_MODE = True
    # django-simple-captcha reads its test mode once, when first imported.
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _french_by_default():
    """``reverse()`` in a test gives the /fr/ URLs, whatever language an earlier test's request left active."""
    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
