"""Each event of the "Fil d'événements" reads as a sentence in the page's language, naming what its kind names."""

import pytest
from django.utils import translation

from structures.models import Event, Role
from tests.factories import StructureFactory, UserFactory
from workspaces.models import Workspace

# The kinds whose sentence names no structure.
WITHOUT_STRUCTURE = {Event.Kind.ACCOUNT_CREATED, Event.Kind.WORKSPACE_OPENED, Event.Kind.WORKSPACE_CLOSED}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_kind_of_event_is_a_whole_sentence(language, workspace_catalogue):
    structure = StructureFactory(corporate_name="M A SOCIETE")
    actor = UserFactory(first_name="Jean", last_name="MARTIN")
    subject = UserFactory(first_name="Léa", last_name="DURAND")
    workspace = Workspace.objects.get(code="issued-invoices")
    with translation.override(language):
        for kind in Event.Kind:
            event = Event(
                user=actor,
                kind=kind,
                structure=structure,
                workspace=workspace,
                actor=actor,
                subject=subject,
                role=Role.SECONDARY_MANAGER,
            )
            text = event.text
            assert text and "%(" not in text, kind
            assert ("M A SOCIETE" in text) == (kind not in WITHOUT_STRUCTURE), (kind, text)
        role_changed = Event(
            user=actor, kind=Event.Kind.ROLE_CHANGED, structure=structure, role=Role.SECONDARY_MANAGER
        )
        assert role_changed.text.startswith("Votre rôle" if language == "fr" else "Your role")
        assert str(Role.SECONDARY_MANAGER.label) in role_changed.text
        assert ("un gestionnaire" if language == "fr" else "a manager") in role_changed.text  # no actor named
        opened = Event(user=actor, kind=Event.Kind.WORKSPACE_OPENED, workspace=workspace)
        assert workspace.label in opened.text
        received = Event(user=actor, kind=Event.Kind.REQUEST_RECEIVED, structure=structure, subject=subject)
        assert "Léa DURAND" in received.text
