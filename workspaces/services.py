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
def workspace_activations_set(*, user, codes: Iterable[str]) -> tuple[list[Workspace], list[Workspace]]:
    """Open exactly the available workspaces in ``codes`` for ``user`` and close the others, at once (no logout
    needed). Idempotent; unknown codes are ignored. Returns the workspaces (opened, closed) by this change."""
    wanted = set(codes)
    now = timezone.now()
    existing = {
        activation.workspace_id: activation
        for activation in WorkspaceActivation.objects.select_for_update().filter(user=user)
    }
    to_create, to_update, opened, closed = [], [], [], []
    for workspace in workspace_catalogue():
        is_active = workspace.code in wanted
        activation = existing.get(workspace.code)
        if activation is None:
            to_create.append(
                WorkspaceActivation(user=user, workspace=workspace, is_active=is_active, updated_at=now)
            )
            if is_active:
                opened.append(workspace)
        elif activation.is_active != is_active:
            activation.is_active = is_active
            activation.updated_at = now
            to_update.append(activation)
            (opened if is_active else closed).append(workspace)
    WorkspaceActivation.objects.bulk_create(to_create)
    if to_update:
        WorkspaceActivation.objects.bulk_update(to_update, ["is_active", "updated_at"])
    return opened, closed


def workspace_activations_set_defaults(*, user) -> tuple[list[Workspace], list[Workspace]]:
    """Open the default workspaces ("Sollicitations émises", "Factures émises") for a new account."""
    return workspace_activations_set(
        user=user, codes=workspace_catalogue().filter(is_default=True).values_list("code", flat=True)
    )


@transaction.atomic
def workspace_activations_close(*, user_ids: Iterable[int], workspace: Workspace) -> list[int]:
    """Close ``workspace`` for those of ``user_ids`` who have it open. Returns the ids of the users it was closed
    for (the others had it closed already)."""
    closing = list(
        WorkspaceActivation.objects.select_for_update()
        .filter(user_id__in=list(user_ids), workspace=workspace, is_active=True)
        .values_list("user_id", flat=True)
    )
    if closing:
        WorkspaceActivation.objects.filter(user_id__in=closing, workspace=workspace).update(
            is_active=False, updated_at=timezone.now()
        )
    return closing
