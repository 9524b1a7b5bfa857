"""The portal's error pages and its shared state: nothing a second web process would not see."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as db_sessions

from tests.production.csp import assert_csp_strict


@pytest.mark.urls("tests.production.failing_urls")
def test_a_bug_gives_the_bilingual_500_page_under_the_strict_csp(client):
    client.raise_request_exception = False
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.text and "Unexpected error" in response.text
    assert 'href="/"' in response.text
    assert_csp_strict(response)


def test_no_state_lives_in_one_process_memory():
    """Sessions, cache (rate limits, SIRENE answers), login lockouts, captchas and the task queue are in the
    database, so that several web processes (and machines) behind one database agree."""
    # The portal's store is Django's database store with a leaner read (chorus_portal/sessions.py).
    assert issubclass(import_module(settings.SESSION_ENGINE).SessionStore, db_sessions.SessionStore)
    assert {cache["BACKEND"] for cache in settings.CACHES.values()} == {
        "django.core.cache.backends.db.DatabaseCache"
    }
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )
    assert (
        getattr(settings, "CAPTCHA_STORE", None) is None
    )  # django-simple-captcha keeps its challenges in the DB
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.fallback.FallbackStorage"
