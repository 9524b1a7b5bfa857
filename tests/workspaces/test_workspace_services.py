from tests.factories import UserFactory
from workspaces.models import Workspace, WorkspaceActivation
from workspaces.selectors import workspace_active_codes, workspace_catalogue, workspace_rows_for_user
from workspaces.services import (
    workspace_activation_set,
    workspace_activations_close,
    workspace_activations_set,
    workspace_activations_set_defaults,
)

SEED_AREAS_FR = {
    "Demande de remboursement TIC",
    "Engagements",
    "Factures à valider",
    "Factures de travaux",
    "Factures émises",
    "Mémoires de frais de justice",
    "Raccordement EDI et API",
    "Suivi des flux",
}
SEED_AREAS_EN = {
    "Commitments",
    "Data flow overview",
    "EDI and API connections",
    "ICT refund request",
    "Invoices to validate",
    "Issued invoices",
    "Justice costs Invoices",
    "Work Invoices",
}


def test_catalogue_holds_the_eight_areas_of_the_guides_and_sent_requests():
    catalogue = list(workspace_catalogue())
    assert {w.label_fr for w in catalogue} == SEED_AREAS_FR | {"Sollicitations émises"}
    assert {w.label_en for w in catalogue} == SEED_AREAS_EN | {"Sent requests"}
    assert all(w.description_fr and w.description_en for w in catalogue)
    assert Workspace.objects.get(label_fr="Factures émises").description_fr == (
        "Réservé au dépôt et à la visualisation des factures émises à destination des structures publiques"
    )
    assert (
        Workspace.objects.get(label_en="Commitments").description_en
        == "View the commitments of the French State"
    )
    assert {w.code for w in catalogue if w.is_default} == {"sent-requests", "issued-invoices"}


def test_defaults_then_set_is_idempotent(django_assert_max_num_queries):
    user = UserFactory()
    workspace_activations_set_defaults(user=user)
    assert workspace_active_codes(user=user) == {"sent-requests", "issued-invoices"}

    workspace_activations_set(user=user, codes=["issued-invoices", "commitments", "no-such-area"])
    assert workspace_active_codes(user=user) == {"issued-invoices", "commitments"}
    rows = WorkspaceActivation.objects.filter(user=user).count()
    with django_assert_max_num_queries(6):
        workspace_activations_set(user=user, codes=["issued-invoices", "commitments"])
    assert WorkspaceActivation.objects.filter(user=user).count() == rows == 9


def test_one_switch_and_rows_for_a_user_without_activations():
    # An account created alone (seed 003) has only "Mon Compte" until it is attached to a structure.
    user = UserFactory()
    assert [row.workspace.code for row in workspace_rows_for_user(user=user) if row.is_active] == []
    workspace_activation_set(user=user, workspace=Workspace.objects.get(code="work-invoices"), is_active=True)
    workspace_activation_set(user=user, workspace=Workspace.objects.get(code="commitments"), is_active=True)
    workspace_activation_set(user=user, workspace=Workspace.objects.get(code="commitments"), is_active=False)
    assert workspace_active_codes(user=user) == {"work-invoices"}


def test_workspace_activations_close_closes_only_the_open_ones():
    commitments = Workspace.objects.get(code="commitments")
    opened, closed_already, never = UserFactory(), UserFactory(), UserFactory()
    WorkspaceActivation.objects.create(user=opened, workspace=commitments, is_active=True)
    WorkspaceActivation.objects.create(user=closed_already, workspace=commitments, is_active=False)
    closed = workspace_activations_close(
        user_ids=[opened.pk, closed_already.pk, never.pk], workspace=commitments
    )
    assert closed == [opened.pk]
    assert not WorkspaceActivation.objects.filter(workspace=commitments, is_active=True).exists()
    assert not WorkspaceActivation.objects.filter(user=never).exists()
