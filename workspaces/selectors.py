from dataclasses import dataclass

from workspaces.models import Workspace, WorkspaceActivation


def workspace_catalogue():
    """The workspaces a user may open, in the catalogue's order."""
    return Workspace.objects.filter(is_available=True).order_by("position", "code")


def workspace_default_codes() -> set[str]:
    return set(workspace_catalogue().filter(is_default=True).values_list("code", flat=True))


@dataclass(frozen=True)
class WorkspaceRow:
    workspace: Workspace
    is_active: bool


def workspace_rows_for_user(*, user) -> list[WorkspaceRow]:
    """Every available workspace with whether ``user`` has it open (two queries).

    A workspace the user never switched either way counts as open when it is a default one.
    """
    activations = dict(WorkspaceActivation.objects.filter(user=user).values_list("workspace_id", "is_active"))
    return [
        WorkspaceRow(workspace=workspace, is_active=activations.get(workspace.code, workspace.is_default))
        for workspace in workspace_catalogue()
    ]


def workspace_active_codes(*, user) -> set[str]:
    return {row.workspace.code for row in workspace_rows_for_user(user=user) if row.is_active}
