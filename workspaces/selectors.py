from workspaces.models import Workspace, WorkspaceActivation


def workspaces_available():
    return Workspace.objects.filter(is_available=True).order_by("position", "code")


def user_open_workspaces(*, user):
    """The workspaces the user has opened, in menu order."""
    return Workspace.objects.filter(
        is_available=True, activations__user=user, activations__is_active=True
    ).order_by("position", "code")


def user_open_workspace_codes(*, user):
    return set(
        WorkspaceActivation.objects.filter(user=user, is_active=True).values_list("workspace_id", flat=True)
    )
