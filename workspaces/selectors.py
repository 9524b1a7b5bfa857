from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from workspaces.models import Workspace, WorkspaceActivation

# How long the pages may read the catalogue from the shared cache; a workspace saved or deleted through the model
# (admin, services, load_demo_data) clears it at once (workspaces.apps), a bulk update of the table only after this.
WORKSPACE_CATALOGUE_CACHE_KEY = "workspaces:catalogue"
WORKSPACE_CATALOGUE_CACHE_SECONDS = 300


def workspace_catalogue():
    """The workspaces a user may open, in the catalogue's order."""
    return Workspace.objects.filter(is_available=True).order_by("position", "code")


def workspace_catalogue_cached() -> list[Workspace]:
    """``workspace_catalogue()`` for the pages (the menu, Mon Compte, signup step 3), from the shared cache: one
    cheap cache read instead of a query built by the ORM. Writes read the table itself."""
    catalogue = cache.get(WORKSPACE_CATALOGUE_CACHE_KEY)
    if catalogue is None:
        catalogue = list(workspace_catalogue())
        if catalogue:  # an empty table is a database being filled (a flushed test database), not a catalogue
            cache.set(WORKSPACE_CATALOGUE_CACHE_KEY, catalogue, WORKSPACE_CATALOGUE_CACHE_SECONDS)
    return catalogue


def workspace_catalogue_forget(**kwargs):
    """Receiver of Workspace saves and deletes: cleared at once (this transaction's later reads) and again once
    committed (another process may have cached the old rows meanwhile)."""
    cache.delete(WORKSPACE_CATALOGUE_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(WORKSPACE_CATALOGUE_CACHE_KEY))


def workspace_default_codes() -> set[str]:
    return set(workspace_catalogue().filter(is_default=True).values_list("code", flat=True))


@dataclass(frozen=True)
class WorkspaceRow:
    workspace: Workspace
    is_active: bool


def workspace_rows_for_user(*, user) -> list[WorkspaceRow]:
    """Every available workspace with whether ``user`` has it open (two queries)."""
    open_codes = workspace_active_codes(user=user)
    return [
        WorkspaceRow(workspace=workspace, is_active=workspace.code in open_codes)
        for workspace in workspace_catalogue()
    ]


def workspace_active_codes(*, user) -> set[str]:
    """Codes of the workspaces ``user`` has open (a signup opens the default ones; an account created alone has
    none until it is attached to a structure)."""
    return set(
        WorkspaceActivation.objects.filter(user=user, is_active=True).values_list("workspace_id", flat=True)
    )


def user_open_workspaces(*, user):
    """The workspaces the user has opened, in menu order (a queryset; the pages use
    ``structures.selectors.user_workspaces(user=...).open``)."""
    return workspace_catalogue().filter(activations__user=user, activations__is_active=True)


def workspace_user_has_activations(*, user) -> bool:
    """Whether ``user`` has ever opened or closed a workspace (an account created alone has none)."""
    return WorkspaceActivation.objects.filter(user=user).exists()
