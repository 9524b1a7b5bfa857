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
from structures.models import AttachmentRequest, Event, Role
from structures.selectors import _user_connected_read, user_workspaces
from structures.services import event_record
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, StructureFactory, UserFactory
from workspaces.models import WorkspaceActivation


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


def test_a_session_read_again_is_a_copy_of_its_data():
    store = SessionStore()
    store["signup"] = {"email": "léa@example.fr", "draft": {"last_name": "MARTIN"}}
    store.create()
    first = SessionStore(store.session_key)
    first["signup"]["draft"]["last_name"] = "changed in this request only"  # not saved
    again = SessionStore(store.session_key)
    assert again["signup"] == {"email": "léa@example.fr", "draft": {"last_name": "MARTIN"}}


def test_session_data_whose_signature_is_wrong_reads_empty_even_after_the_right_one():
    store = SessionStore()
    store["signup"] = {"email": "léa@example.fr"}
    store.create()
    assert SessionStore(store.session_key)["signup"] == {"email": "léa@example.fr"}
    signed = Session.objects.get(pk=store.session_key).session_data
    value, signature = signed.rsplit(":", 1)
    tampered = f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    assert SessionStore().decode(tampered) == {}
    assert SessionStore().decode(signed) == {"signup": {"email": "léa@example.fr"}}


def test_session_data_signed_with_a_key_no_longer_in_use_reads_empty(settings):
    store = SessionStore()
    store["signup"] = {"email": "léa@example.fr"}
    store.create()
    assert SessionStore(store.session_key)["signup"] == {"email": "léa@example.fr"}
    settings.SECRET_KEY = "another key of the deployment, " + "k" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert dict(SessionStore(store.session_key).items()) == {}


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
    the column existed) still gets the user of its data, read alone, and the checks of Django's get_user; what was
    read with the session of the other person (their menu) is not shown."""
    user = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    session = _log_in(client, user)
    manager = UserFactory(first_name="Jean", last_name="MARTIN")
    MembershipFactory(user=manager, role=Role.PRIMARY_MANAGER)
    Session.objects.filter(pk=session.pk).update(user=manager)
    page = client.get("/fr/").text
    assert "Stéphanie DUPOND" in html.unescape(page) and "MARTIN" not in page
    assert reverse("manager") not in page  # Jean MARTIN's "Activités du gestionnaire"
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


# --- What every connected page reads of its user, read with the session -------------------------------------


def _user_with_everything():
    """A user with attachments (one as a manager), requests of each status, workspaces open for them and on their
    structures, and events."""
    user = UserFactory(first_name="Stéphanie", last_name="DUPOND")
    managed, attached = StructureFactory(), StructureFactory()
    MembershipFactory(user=user, structure=managed, role=Role.PRIMARY_MANAGER)
    MembershipFactory(user=user, structure=attached)
    AttachmentRequest.objects.create(user=user, structure=StructureFactory())
    for status in ("REFUSED", "CANCELLED", "CANCELLED"):
        AttachmentRequest.objects.create(
            user=user, structure=StructureFactory(), status=status, decided_at=timezone.now()
        )
    WorkspaceActivation.objects.create(user=user, workspace_id="issued-invoices", is_active=True)
    WorkspaceActivation.objects.create(user=user, workspace_id="sent-requests", is_active=False)
    attached.workspaces.create(workspace_id="commitments", is_active=True)
    for _ in range(3):
        event_record(user=user, kind=Event.Kind.ACCOUNT_CREATED)
    return user


def _kept(user):
    workspaces = user_workspaces(user=user, catalogue=True)
    return (
        user._attachment_summary,
        user._event_count,
        workspaces.open,
        workspaces.open_codes,
        workspaces.structure_codes,
        [(workspace.code, workspace.label, workspace.description, workspace.is_default, workspace.position)
         for workspace in workspaces.catalogue],
    )  # fmt: skip


def test_a_connected_page_reads_its_menu_with_the_session_in_the_same_statement(client):
    user = _user_with_everything()
    _log_in(client, user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/fr/").text
    assert reverse("manager") in page and "/fr/espaces/issued-invoices/" in page  # the menu
    assert '"accounts_session"' in queries[0]["sql"] and '"structures_membership"' in queries[0]["sql"]
    assert not [query for query in queries[1:] if '"structures_membership"' in query["sql"]]


def _read_with_the_session(client, user):
    store = SessionStore(_log_in(client, user).session_key)
    store.reads_connected_user = True
    store.load()
    return store.user_read_with_session(user.pk)


def _read_alone(user):
    alone = User.objects.get(pk=user.pk)
    _user_connected_read(user=alone, catalogue=True)
    return alone


def test_what_is_read_with_the_session_is_what_the_pages_read_alone(client):
    user = _user_with_everything()
    with_session = _read_with_the_session(client, user)
    assert _kept(with_session) == _kept(_read_alone(user))
    summary = with_session._attachment_summary
    assert (summary.attachments, summary.managed, summary.pending, summary.closed) == (2, 1, 1, 3)
    assert with_session._event_count == 3
    assert user_workspaces(user=with_session).open_codes == {"issued-invoices"}
    assert user_workspaces(user=with_session).structure_codes == {"commitments"}
    client.post(reverse("logout"))
    newcomer = UserFactory()  # nothing yet: no attachment, request, workspace nor event
    with_session = _read_with_the_session(client, newcomer)
    assert _kept(with_session) == _kept(_read_alone(newcomer))
    assert with_session._attachment_summary.attachments == 0 and user_workspaces(user=with_session).open == []


def test_a_post_reads_its_user_with_the_session_and_the_menu_after_its_writes(client):
    """A POST's writes come after its session is read: the menu of the page it shows is read when it is shown."""
    user = _user_with_everything()
    _log_in(client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_profile"), {"last_name": "", "first_name": "Stéphanie"})
    assert response.status_code == 400 and reverse("manager") in response.text
    assert '"accounts_session"' in queries[0]["sql"] and '"structures_membership"' not in queries[0]["sql"]


def test_an_admin_page_reads_its_user_with_the_session_and_nothing_more(client):
    """The admin shows no menu of the portal: its session read is the session and its user alone."""
    moderator = _user_with_everything()
    User.objects.filter(pk=moderator.pk).update(is_staff=True, is_superuser=True)
    _log_in(client, moderator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and response.context["user"] == moderator
    assert '"accounts_session"' in queries[0]["sql"] and '"structures_membership"' not in queries[0]["sql"]
    assert not [query for query in queries if '"structures_membership"' in query["sql"]]


def test_a_session_without_a_user_reads_nothing_more():
    store = SessionStore()
    store["signup"] = {"email": "léa@example.fr"}
    store.create()
    reading = SessionStore(store.session_key)
    reading.reads_connected_user = True
    assert reading["signup"] == {"email": "léa@example.fr"}
    assert reading.user_read_with_session(1) is None


def test_outside_a_request_the_backend_reads_the_user_alone():
    user = UserFactory()
    assert UserBackend().get_user(user.pk) == user
