"""Seed 003: once an account created alone is attached to a structure (structure created from "Mon Compte", or
attachment request approved), its menu shows "Factures émises" and "Sollicitations émises"."""

import html
import threading

import pytest
from django.conf import settings
from django.db import connection

from accounts.services import (
    user_attachment_request_approve,
    user_attachment_requests_decide,
    user_workspaces_open_defaults,
)
from structures.models import AttachmentRequest, Event
from tests.connected.conftest import login
from tests.connected.test_structure_create import FORM
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from workspaces.models import Workspace, WorkspaceActivation

DEFAULTS = {"issued-invoices", "sent-requests"}


def open_codes(user):
    return set(
        WorkspaceActivation.objects.filter(user=user, is_active=True).values_list("workspace_id", flat=True)
    )


@pytest.fixture
def alone(db):
    """An account created alone (seed 003): activated, no structure, no workspace."""
    return UserFactory(email="seule@example.fr")


def test_the_catalogue_defaults_are_the_seed_ones():
    assert set(Workspace.objects.filter(is_default=True).values_list("code", flat=True)) == DEFAULTS


@pytest.mark.parametrize(
    ("lang", "labels"),
    [("fr", ("Factures émises", "Sollicitations émises")), ("en", ("Issued invoices", "Sent requests"))],
)
def test_creating_a_structure_opens_the_default_workspaces(client, alone, lang, labels):
    login(client, alone)
    home = html.unescape(client.get(f"/{lang}/").content.decode())
    assert labels[0] not in home
    response = client.post(f"/{lang}/mon-compte/structures/nouvelle/", FORM)
    assert response.status_code == 302
    assert open_codes(alone) == DEFAULTS
    menu = html.unescape(client.get(response.headers["Location"]).content.decode())
    assert all(label in menu for label in labels)
    assert Event.objects.filter(user=alone, kind=Event.Kind.WORKSPACE_OPENED).count() == 2


def test_an_approved_request_opens_the_default_workspaces(client, alone, structure_with_manager):
    structure, manager = structure_with_manager
    request = AttachmentRequest.objects.create(user=alone, structure=structure)
    login(client, manager)
    client.post("/fr/gestionnaire/decisions/", {"requests": [request.pk], "decision": "approve"})
    assert open_codes(alone) == DEFAULTS
    login(client, alone)
    menu = html.unescape(client.get("/en/").content.decode())
    assert "Issued invoices" in menu and "Sent requests" in menu


def test_a_refused_request_opens_nothing(client, alone, structure_with_manager):
    structure, manager = structure_with_manager
    request = AttachmentRequest.objects.create(user=alone, structure=structure)
    login(client, manager)
    client.post("/fr/gestionnaire/decisions/", {"requests": [request.pk], "decision": "refuse"})
    assert not WorkspaceActivation.objects.filter(user=alone).exists()


def test_an_approval_from_the_admin_opens_them_too(alone, structure_with_manager):
    structure, _manager = structure_with_manager
    staff = UserFactory(is_superuser=True, is_staff=True)
    request = AttachmentRequest.objects.create(user=alone, structure=structure)
    user_attachment_request_approve(request=request, by=staff)
    assert open_codes(alone) == DEFAULTS


def test_a_user_who_already_chose_keeps_the_choice(client, alone, structure_with_manager):
    """Someone who closed every workspace (rows exist, all off) or opened others is not overridden."""
    WorkspaceActivation.objects.create(user=alone, workspace_id="issued-invoices", is_active=False)
    login(client, alone)
    client.post("/fr/mon-compte/structures/nouvelle/", FORM)
    assert open_codes(alone) == set()
    assert user_workspaces_open_defaults(user=alone) == []


def test_opening_twice_opens_once(alone):
    assert {workspace.code for workspace in user_workspaces_open_defaults(user=alone)} == DEFAULTS
    assert user_workspaces_open_defaults(user=alone) == []
    assert (
        WorkspaceActivation.objects.filter(user=alone).count()
        == Workspace.objects.filter(is_available=True).count()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("workspace_catalogue")
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL's concurrency"
)
def test_two_approvals_at_once_open_the_workspaces_once():
    """Two managers of two structures approve the same newcomer at the same moment: the user's row lock makes the
    second approval see the first one's workspaces; no error, each workspace once."""
    newcomer = UserFactory(email="seule@example.fr")
    requests, managers = [], []
    for name in ("A", "B"):
        structure = StructureFactory(corporate_name=f"STRUCTURE {name}")
        manager = UserFactory(email=f"manager.{name.lower()}@example.fr")
        MembershipFactory(user=manager, structure=structure, primary=True)
        requests.append(AttachmentRequest.objects.create(user=newcomer, structure=structure))
        managers.append(manager)
    barrier = threading.Barrier(2)
    results = {}

    def approve(index):
        def run():
            try:
                barrier.wait()
                results[index] = user_attachment_requests_decide(
                    request_ids=[requests[index].pk], by=managers[index], approve=True
                )
            except BaseException as error:  # reported below, never swallowed
                results[index] = error
            finally:
                connection.close()

        return threading.Thread(target=run)

    threads = [approve(0), approve(1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {0: (1, 0), 1: (1, 0)}
    assert open_codes(newcomer) == DEFAULTS
    assert (
        WorkspaceActivation.objects.filter(user=newcomer).count()
        == Workspace.objects.filter(is_available=True).count()
    )
    assert Event.objects.filter(user=newcomer, kind=Event.Kind.WORKSPACE_OPENED).count() == len(DEFAULTS)
