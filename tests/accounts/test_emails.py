import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.services import user_activation_send, user_signup_emails_send
from structures.models import AttachmentRequest, Role
from tests.accounts.conftest import activation_path
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from workspaces.models import Workspace, WorkspaceActivation


@pytest.fixture
def workspaces():
    issued = Workspace.objects.create(
        code="factures-emises",
        label_fr="Factures émises",
        label_en="Issued invoices",
        description_fr="Réservé au dépôt et à la visualisation des factures émises",
        description_en="Submit and view the issued invoices",
        is_default=True,
        position=1,
    )
    requests = Workspace.objects.create(
        code="sollicitations-emises",
        label_fr="Sollicitations émises",
        label_en="Sent requests",
        description_fr="Sollicitations émises",
        description_en="Sent requests",
        is_default=True,
        position=2,
    )
    return [issued, requests]


def test_signup_sends_the_summary_then_the_activation_email(
    pending_user, workspaces, mailoutbox, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    MembershipFactory(
        user=pending_user, structure__corporate_name="LE CHAT QUI PECHE", role=Role.PRIMARY_MANAGER
    )
    other = StructureFactory(corporate_name="AGENCE INFORMATIQUE FINANCIERE ETAT")
    AttachmentRequest.objects.create(user=pending_user, structure=other)
    for workspace in workspaces:
        WorkspaceActivation.objects.create(user=pending_user, workspace=workspace)

    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(3):
        user_signup_emails_send(user=pending_user)

    assert len(mailoutbox) == 2
    summary, activation = mailoutbox
    for message in mailoutbox:
        assert message.to == ["stephanie.dupond@aife.fr"]
        assert message.from_email == "ne-pas-repondre@chorus-pro.example"
        assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]

    assert summary.subject == "Chorus Pro – Votre compte utilisateur a été créé"
    assert "Mes rattachements aux structures" not in summary.body
    for wording in [
        "Bonjour Stéphanie DUPOND,",
        "Votre compte utilisateur stephanie.dupond@aife.fr a été créé sur Chorus Pro.",
        "compta@aife.fr",
        "LE CHAT QUI PECHE",
        "vous en êtes le gestionnaire principal",
        "AGENCE INFORMATIQUE FINANCIERE ETAT",
        "demande de rattachement en attente",
        "Factures émises",
        "Sollicitations émises",
        "Il est valable 72 heures",
    ]:
        assert wording in summary.body, wording
        assert wording in summary.alternatives[0].content, wording

    assert activation.subject == "Chorus Pro – Activez votre compte utilisateur"
    assert "Ce lien est valable 72 heures, jusqu'au" in activation.body
    path = activation_path(activation)
    assert path.startswith("/fr/activation/")
    assert f"http://127.0.0.1:8000{path}" in activation.alternatives[0].content


def test_emails_are_in_the_users_language(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(not_activated=True, language="en", first_name="Fanny", last_name="UGUET")
    with django_capture_on_commit_callbacks(execute=True):
        user_signup_emails_send(user=user)
    summary, activation = mailoutbox
    assert summary.subject == "Chorus Pro – Your user account has been created"
    assert "Hello Fanny UGUET," in summary.body
    assert activation.subject == "Chorus Pro – Activate your user account"
    assert "This link is valid for 72 hours" in activation.body
    assert activation_path(activation).startswith("/en/activation/")
    # An account created first, without a structure: the summary says how to attach it to one.
    assert "“My attachments to structures”" in summary.body


def test_validity_follows_the_setting(settings, pending_user, mailoutbox, django_capture_on_commit_callbacks):
    settings.ACCOUNT_ACTIVATION_MAX_AGE = 3600
    with django_capture_on_commit_callbacks(execute=True):
        user_activation_send(user=pending_user)
    assert "Ce lien est valable 1 heure," in mailoutbox[0].body


def test_an_activated_account_gets_no_activation_email(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_activation_send(user=UserFactory())
    assert mailoutbox == []


def test_a_name_cannot_inject_headers(mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_NAME = "Chorus\nBcc: pirate@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        user_activation_send(user=UserFactory(not_activated=True))
    assert "\n" not in mailoutbox[0].subject
    assert mailoutbox[0].message()["Bcc"] is None


# --- SMTP: a real server on loopback --------------------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port


@pytest.fixture
def smtp_server(smtp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


def test_delivery_through_a_real_smtp_server(smtp_server, pending_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_signup_emails_send(user=pending_user)
    assert len(smtp_server.envelopes) == 2
    assert smtp_server.envelopes[0].rcpt_tos == ["stephanie.dupond@aife.fr"]
    assert smtp_server.envelopes[0].mail_from == "ne-pas-repondre@chorus-pro.example"
    raw = smtp_server.envelopes[1].content.decode()
    assert "multipart/alternative" in raw
    assert "text/html" in raw


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)


# The worker closes "old" connections as it would between tasks: the test cannot run inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_an_smtp_outage_loses_no_email(settings, smtp_port, pending_user, django_capture_on_commit_callbacks):
    """Queued while the SMTP server is down, kept in the database, delivered by the worker once it is back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            user_activation_send(user=pending_user)
        assert DBTaskResult.objects.ready().count() == 1

        # The server is down: the attempt fails, the message is queued again for later.
        run_worker()
        assert DBTaskResult.objects.filter(status="FAILED").count() == 1
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.run_after == timezone.now() + timezone.timedelta(seconds=60)
        assert not DBTaskResult.objects.ready().exists()

        # Still down at the next attempt: the delay doubles.
        traveller.shift(61)
        run_worker()
        waiting = DBTaskResult.objects.get(status="READY")
        assert waiting.run_after == timezone.now() + timezone.timedelta(seconds=120)
        assert waiting.args_kwargs["kwargs"]["attempt"] == 3

        # The server is back: the worker delivers the message at its next attempt.
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        try:
            traveller.shift(121)
            run_worker()
        finally:
            controller.stop()
    assert len(inbox.envelopes) == 1
    assert inbox.envelopes[0].rcpt_tos == ["stephanie.dupond@aife.fr"]
    assert "/fr/activation/" in inbox.envelopes[0].content.decode()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_permanent_refusal_is_not_retried(
    settings, pending_user, django_capture_on_commit_callbacks, smtp_port
):
    class Refusing(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 No such user here"

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    controller = Controller(Refusing(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            user_activation_send(user=pending_user)
        run_worker()
    finally:
        controller.stop()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_the_activation_link_of_the_email_works(
    client, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_activation_send(user=pending_user)
    assert client.get(activation_path(mailoutbox[0])).status_code == 200


def test_an_administrator_can_resend_the_activation_link(
    admin_client, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    activated = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/fr/admin/accounts/user/",
            {"action": "resend_activation", "_selected_action": [pending_user.pk, activated.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert [message.to for message in mailoutbox] == [["stephanie.dupond@aife.fr"]]
