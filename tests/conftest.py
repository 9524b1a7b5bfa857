import os

import pytest
from django.core.management import call_command

# The browser tests drive Chromium through Playwright's synchronous API, which runs an event loop in the test
# thread; the ORM calls the tests make there are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# tryfirst: the markers must be in place before pytest-django orders the tests by them (database tests first,
# transactional ones after: a transactional test empties the tables, data migrations included, when it ends).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test may use the database; browser tests need real commits (the live server is another thread)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.django_db(transaction=True))
        elif not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _portal_settings(settings):
    settings.CAPTCHA_TEST_MODE = True
    settings.PORTAL_CAPTCHA_TEST_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
