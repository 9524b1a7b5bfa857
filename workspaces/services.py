from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from workspaces.models import Workspace, WorkspaceActivation
from workspaces.selectors import workspace_catalogue


@transaction.atomic
def workspace_activation_set(*, user, workspace: Workspace, is_active: bool) -> WorkspaceActivation:
    """Open or close one workspace for ``user``."""
    activation, _created = WorkspaceActivation.objects.update_or_create(
        user=user,
        workspace=workspace,
        defaults={"is_active": is_active, "updated_at": timezone.now()},
    )
    return activation


@transaction.atomic
def workspace_activations_set(*, user, active_codes: Iterable[str]) -> list[WorkspaceActivation]:
    """Store, for every available workspace, whether ``user`` has it open: exactly ``active_codes`` are.

    Idempotent (a second identical call changes nothing); unknown codes are ignored.
    """
    wanted = set(active_codes)
    now = timezone.now()
    workspaces = list(workspace_catalogue())
    existing = {
        activation.workspace_id: activation
        for activation in WorkspaceActivation.objects.select_for_update().filter(user=user)
    }
    to_create, to_update = [], []
    for workspace in workspaces:
        is_active = workspace.code in wanted
        activation = existing.get(workspace.code)
        if activation is None:
            to_create.append(
                WorkspaceActivation(user=user, workspace=workspace, is_active=is_active, updated_at=now)
            )
        elif activation.is_active != is_active:
            activation.is_active = is_active
            activation.updated_at = now
            to_update.append(activation)
    WorkspaceActivation.objects.bulk_create(to_create)
    if to_update:
        WorkspaceActivation.objects.bulk_update(to_update, ["is_active", "updated_at"])
    return [*to_create, *to_update]


def workspace_activations_set_defaults(*, user) -> list[WorkspaceActivation]:
    """Open the default workspaces ("Sollicitations émises", "Factures émises") for a new account."""
    return workspace_activations_set(
        user=user, active_codes=workspace_catalogue().filter(is_default=True).values_list("code", flat=True)
    )
