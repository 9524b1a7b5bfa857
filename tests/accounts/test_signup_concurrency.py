"""Two people creating the same new structure at the same moment: one structure, one primary manager, one pending
attachment request, no error page. Real concurrent transactions need PostgreSQL (SQLite serialises writers)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from accounts.models import User
from accounts.services import PersonData, user_signup
from structures.models import AttachmentRequest, IdentifierType, Membership, Role, Structure
from structures.services import StructureData
from tests.accounts.conftest import LE_CHAT_QUI_PECHE
from tests.accounts.test_signup_views import new_structure

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("workspace_catalogue"),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL's concurrency"
    ),
]


def in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except BaseException as error:  # reported by the test, never swallowed
            results[key] = error
        finally:
            connection.close()

    return threading.Thread(target=run)


def assert_one_structure_one_manager_one_request(creator_email, requester_email):
    structure = Structure.objects.get(identifier=LE_CHAT_QUI_PECHE)
    membership = Membership.objects.get(structure=structure)
    assert (membership.user.email, membership.role, membership.is_active) == (
        creator_email,
        Role.PRIMARY_MANAGER,
        True,
    )
    request = AttachmentRequest.objects.get(structure=structure)
    assert (request.user.email, request.status) == (requester_email, AttachmentRequest.Status.PENDING)
    assert User.objects.count() == 2


def test_the_second_creation_waits_for_the_first_then_becomes_a_request():
    data = StructureData(
        identifier_type=IdentifierType.SIRET,
        identifier=LE_CHAT_QUI_PECHE,
        corporate_name="LE CHAT QUI PECHE",
        address="19 B RUE DE COTTE",
        postal_code="75012",
        city="PARIS 12",
    )
    first_inserted, release_first = threading.Event(), threading.Event()
    results = {}

    def first():
        with transaction.atomic():
            result = user_signup(
                person=PersonData("premier@example.fr", "PREMIER", "Ada"), structure_data=data
            )
            first_inserted.set()
            release_first.wait(10)  # keep the new structure uncommitted while the second signup runs
        return result

    def second():
        first_inserted.wait(10)
        return user_signup(person=PersonData("second@example.fr", "SECOND", "Bob"), structure_data=data)

    threads = [in_thread(first, results, "first"), in_thread(second, results, "second")]
    for thread in threads:
        thread.start()
    assert first_inserted.wait(10)
    time.sleep(0.5)
    assert "second" not in results  # blocked on the structure's unique index by the uncommitted first one
    release_first.set()
    for thread in threads:
        thread.join(20)

    assert results["first"].structure_created
    assert not results["second"].structure_created and results["second"].attachment_requested
    assert_one_structure_one_manager_one_request("premier@example.fr", "second@example.fr")


def test_two_signups_posted_at_the_same_moment(sirene):
    sirene.le_chat_qui_peche()
    clients = {email: Client() for email in ("alice@example.fr", "bruno@example.fr")}
    for email, client in clients.items():
        assert client.post("/fr/signup/", {"email": email, "siret": LE_CHAT_QUI_PECHE}).status_code == 302
    barrier = threading.Barrier(len(clients))
    results = {}

    def post(email, client):
        def run():
            barrier.wait(10)
            return client.post(
                "/fr/signup/information/", new_structure(email_confirmation=email, contact_email=email)
            )

        return run

    threads = [in_thread(post(email, client), results, email) for email, client in clients.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    for email, response in results.items():
        assert not isinstance(response, BaseException), response
        assert (response.status_code, response.headers["Location"]) == (302, "/fr/signup/working-areas/"), (
            email
        )
    structure = Structure.objects.get()
    creator = Membership.objects.get(structure=structure).user.email
    requester = ({"alice@example.fr", "bruno@example.fr"} - {creator}).pop()
    assert_one_structure_one_manager_one_request(creator, requester)
    # Each person then sees the confirmation matching what happened to them.
    for email, client in clients.items():
        client.post("/fr/signup/working-areas/", {"workspaces": ["issued-invoices"]})
        text = client.get("/fr/signup/done/").text
        assert ("Vous êtes le premier à créer votre entreprise" in text) == (email == creator)
