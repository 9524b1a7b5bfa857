from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from workspaces.models import Workspace
from workspaces.selectors import workspace_active_codes


@login_required
@require_GET
def workspace_detail(request, code):
    """A workspace of invoicing, which lives outside this onboarding portal: an honest empty state."""
    workspace = get_object_or_404(Workspace, code=code, is_available=True)
    is_open = workspace.code in workspace_active_codes(user=request.user)
    return render(request, "workspaces/detail.html", {"workspace": workspace, "is_open": is_open})
