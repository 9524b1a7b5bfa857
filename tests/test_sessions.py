"""The portal's session store (chorus_portal/sessions.py): Django's database sessions, read with one statement."""

import datetime

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from chorus_portal.sessions import SessionStore


def test_settings_use_it():
    assert settings.SESSION_ENGINE == "chorus_portal.sessions"


def test_a_saved_session_is_read_back_in_one_query(django_assert_num_queries):
    store = SessionStore()
    store["signup"] = {"email": "léa@example.fr"}
    store.create()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key)["signup"] == {"email": "léa@example.fr"}


def test_an_expired_or_unknown_session_reads_empty_and_forgets_its_key():
    store = SessionStore()
    store["x"] = 1
    store.create()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        expired = SessionStore(store.session_key)
        assert dict(expired.items()) == {}
        assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert dict(unknown.items()) == {} and unknown.session_key is None
    assert SessionStore("short").load() == {}  # not a valid key: not even looked up
    assert Session.objects.count() == 1
