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
    """The workspaces the user has opened, in menu order."""
    return workspace_catalogue().filter(activations__user=user, activations__is_active=True)


def workspace_user_has_activations(*, user) -> bool:
    """Whether ``user`` has ever opened or closed a workspace (an account created alone has none)."""
    return WorkspaceActivation.objects.filter(user=user).exists()
