from django.db import transaction
from django.utils import timezone

from workspaces.models import Workspace, WorkspaceActivation


@transaction.atomic
def workspace_activations_set(*, user, codes):
    """Open exactly the available workspaces in ``codes`` for ``user`` and close the others, at once (no logout
    needed). Returns the lists of workspaces (opened, closed) by this change."""
    wanted = set(codes)
    workspaces = {workspace.code: workspace for workspace in Workspace.objects.filter(is_available=True)}
    current = {
        activation.workspace_id: activation
        for activation in WorkspaceActivation.objects.select_for_update().filter(user=user)
    }
    opened, closed = [], []
    now = timezone.now()
    for code, workspace in workspaces.items():
        activation = current.get(code)
        is_open = activation is not None and activation.is_active
        if code in wanted and not is_open:
            if activation is None:
                WorkspaceActivation.objects.create(
                    user=user, workspace=workspace, is_active=True, updated_at=now
                )
            else:
                activation.is_active = True
                activation.updated_at = now
                activation.save(update_fields=["is_active", "updated_at"])
            opened.append(workspace)
        elif code not in wanted and is_open:
            activation.is_active = False
            activation.updated_at = now
            activation.save(update_fields=["is_active", "updated_at"])
            closed.append(workspace)
    return opened, closed
