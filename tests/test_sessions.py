"""The portal's session store (chorus_portal/sessions.py): Django's database sessions, read with one statement."""

import datetime
import html

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserBackend
from accounts.models import Session, User
from chorus_portal.sessions import SessionStore
from tests.factories import DEFAULT_PASSWORD, UserFactory


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


# --- The session's user, read with it ------------------------------------------------------------------------


def _log_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return Session.objects.get(pk=client.cookies["sessionid"].value)


def _name_shown(client):
    return html.unescape(client.get("/fr/").text).count("Stéphanie DUPOND")


def test_a_logged_in_page_reads_its_session_and_user_in_one_statement(client, django_assert_num_queries):
    user = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    session = _log_in(client, user)
    assert session.user_id == user.pk  # written from the session's data when it is saved
    with CaptureQueriesContext(connection) as queries:
        assert _name_shown(client)
    reads_of_user = [query["sql"] for query in queries if 'FROM "accounts_user"' in query["sql"]]
    assert reads_of_user == [], "the user comes with the session"
    assert 'LEFT OUTER JOIN "accounts_user"' in queries[0]["sql"]
    client.post(reverse("logout"))
    assert not Session.objects.filter(pk=session.pk).exists()


def test_the_user_is_the_one_the_session_data_names_whatever_its_column_says(client):
    """The column only saves a query: a session whose column names someone else (or nobody: a session saved before
    the column existed) still gets the user of its data, read alone, and the checks of Django's get_user."""
    user = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    session = _log_in(client, user)
    Session.objects.filter(pk=session.pk).update(user=UserFactory(first_name="Jean", last_name="MARTIN"))
    page = client.get("/fr/").text
    assert "Stéphanie DUPOND" in html.unescape(page) and "MARTIN" not in page
    Session.objects.filter(pk=session.pk).update(user=None)
    assert _name_shown(client)


def test_a_password_changed_or_an_account_deactivated_or_deleted_logs_the_session_out(client):
    user = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    _log_in(client, user)
    user.set_password("another passphrase of 2026")
    user.save()
    assert not _name_shown(client)  # the session's hash of the password no longer matches

    other = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    _log_in(client, other)
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert not _name_shown(client)

    third = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    _log_in(client, third)
    third.delete()
    response = client.get("/fr/")
    assert response.status_code == 200 and "Stéphanie DUPOND" not in html.unescape(response.text)


def test_outside_a_request_the_backend_reads_the_user_alone():
    user = UserFactory()
    assert UserBackend().get_user(user.pk) == user
