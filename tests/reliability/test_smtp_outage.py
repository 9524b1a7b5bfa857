"""The SMTP server is down while people sign up: every email waits in the database queue (django-tasks-db) and is
delivered by the worker once the server is back. Nothing is lost, no page fails.

A real SMTP server (aiosmtpd) on a loopback port, closed during the signups; the real worker command."""

import email
import email.policy
import re

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.accounts.conftest import AU_PIED_DE_COCHON, LE_CHAT_QUI_PECHE, M_A_SOCIETE
from tests.accounts.test_emails import Inbox, free_port, run_worker
from tests.accounts.test_signup_views import new_structure
from tests.factories import UserFactory

SUMMARY = "Chorus Pro – Votre compte utilisateur a été créé"
ACTIVATION = "Chorus Pro – Activez votre compte utilisateur"

PEOPLE = {
    "alice@example.fr": (LE_CHAT_QUI_PECHE, "LE CHAT QUI PECHE"),
    "bruno@example.fr": (AU_PIED_DE_COCHON, "SNC AU PIED DE COCHON LGE"),
    "chloe@example.fr": (M_A_SOCIETE, "M A SOCIETE"),
}

# The worker closes "old" connections between tasks: the tests cannot run inside a transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("workspace_catalogue")]


@pytest.fixture
def smtp_down(settings):
    """The portal sends through SMTP to a loopback port where no server listens (yet), via the database queue."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return port


def signup(email_address, siret, name):
    client = Client()
    assert client.post("/fr/signup/", {"email": email_address, "siret": siret}).status_code == 302
    data = new_structure(email_confirmation=email_address, contact_email=email_address, corporate_name=name)
    assert client.post("/fr/signup/information/", data).status_code == 302
    assert client.post("/fr/signup/working-areas/", {"workspaces": ["issued-invoices"]}).status_code == 302
    done = client.get("/fr/signup/done/")
    assert done.status_code == 200
    assert "Votre compte est créé" in done.text


def received(inbox):
    """(recipient, subject, text) of every delivered message."""
    messages = []
    for envelope in inbox.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        messages.extend((recipient, str(message["Subject"]), text) for recipient in envelope.rcpt_tos)
    return messages


def queued_messages():
    return sorted(
        (result.args_kwargs["kwargs"]["message"]["to"][0], result.args_kwargs["kwargs"]["message"]["subject"])
        for result in DBTaskResult.objects.filter(status="READY")
    )


def test_signups_during_an_smtp_outage_lose_no_email(smtp_down, sirene):
    sirene.le_chat_qui_peche()
    sirene.au_pied_de_cochon()
    sirene.found(M_A_SOCIETE, "M A SOCIETE", number="2", street_type="RUE", street="DE LA PAIX", city="PARIS")
    expected = sorted((person, subject) for person in PEOPLE for subject in (SUMMARY, ACTIVATION))

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for person, (siret, name) in PEOPLE.items():
            signup(person, siret, name)
        # Every email of the three signups waits in the queue.
        assert queued_messages() == expected

        # The worker tries while the server is still down: each attempt fails and is queued again, none dropped.
        run_worker()
        assert DBTaskResult.objects.filter(status="FAILED").count() == len(expected)
        assert queued_messages() == expected
        assert not DBTaskResult.objects.ready().exists()  # the next attempt waits for its delay

        # The server is back: the worker's next round delivers everything.
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_down)
        controller.start()
        try:
            traveller.shift(61)
            run_worker()
        finally:
            controller.stop()

    messages = received(inbox)
    assert sorted((recipient, subject) for recipient, subject, _text in messages) == expected
    assert not DBTaskResult.objects.filter(status="READY").exists()
    for recipient, subject, text in messages:
        if subject == SUMMARY:
            assert PEOPLE[recipient][1] in text
            assert "vous en êtes le gestionnaire principal" in text
    # The links of the delayed emails still work.
    client = Client()
    for _recipient, subject, text in messages:
        if subject == ACTIVATION:
            path = re.search(r"https?://[^/\s]+(/fr/activation/\S+/)", text).group(1)
            assert client.get(path).status_code == 200


def test_a_signup_with_a_known_address_during_an_smtp_outage(smtp_down, sirene):
    """Step 1 with the address of an existing account tells its owner by email: that notice is queued like the
    others, the page works."""
    sirene.le_chat_qui_peche()
    UserFactory(email="alice@example.fr")
    response = Client().post("/fr/signup/", {"email": "alice@example.fr", "siret": LE_CHAT_QUI_PECHE})
    assert (response.status_code, response.headers["Location"]) == (302, "/fr/signup/information/")
    assert [to for to, _subject in queued_messages()] == ["alice@example.fr"]

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_down)
    controller.start()
    try:
        run_worker()
    finally:
        controller.stop()
    assert [recipient for recipient, _subject, _text in received(inbox)] == ["alice@example.fr"]
