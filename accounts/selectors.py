from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import User
from chorus_portal.queries import PreparedRead
from structures.models import AttachmentRequest, Membership
from structures.selectors import structure_workspace_codes, user_attachment_summary, user_workspaces
from workspaces.models import WorkspaceActivation
from workspaces.selectors import workspace_catalogue_cached

# Read by every logged-in request (the session's user) and every display of an emailed link: prepared statements
# (chorus_portal.queries), ``.first(pk=…)``.
user_by_pk = PreparedRead(User, lambda pk: User._default_manager.filter(pk=pk), pk=int)
# A password can be reset only on an account whose login email was verified (activated once).
verified_user_by_pk = PreparedRead(
    User, lambda pk: User._default_manager.filter(pk=pk, email_verified_at__isnull=False), pk=int
)


def user_get_by_login_email(*, email: str) -> User | None:
    """The account whose login email is ``email``, whatever its case."""
    return User.objects.filter(email__iexact=email.strip()).first()


def user_signup_summary(*, user: User) -> dict:
    """What a signup created for ``user``, read from the database: active attachments (with the role), pending
    attachment requests and open workspaces. Three queries."""
    return {
        "memberships": list(
            Membership.objects.filter(user=user, is_active=True).select_related("structure").order_by("pk")
        ),
        "pending_requests": list(
            AttachmentRequest.objects.filter(user=user, status=AttachmentRequest.Status.PENDING)
            .select_related("structure")
            .order_by("pk")
        ),
        "workspaces": [
            activation.workspace
            for activation in WorkspaceActivation.objects.filter(user=user, is_active=True)
            .select_related("workspace")
            .order_by("workspace__position", "workspace__code")
        ],
    }


@dataclass(frozen=True)
class WorkspaceChoices:
    """What a user may do with the workspaces of the catalogue: ``open_codes`` are open for them; they may open
    the ones in ``allowed_codes`` (the self-service, default ones, those open on one of their active structures,
    and those already open for them); ``blocked_reason`` says why the others cannot be opened yet."""

    catalogue: list
    open_codes: set
    allowed_codes: set
    blocked_reason: str


def user_workspace_choices(*, user, structure=None, fresh=False) -> WorkspaceChoices:
    """The workspaces ``user`` may open in "Mon Compte" (one query, shared with the menu, and the catalogue with it
    when it is the request's first read of the user; ``fresh`` for writes). With ``structure`` (signup step 3, a
    person asking to join it: a Structure or its id), the workspaces open on that structure count as the user's
    structures' (a cache read and one query)."""
    if user is None:  # signup step 3: what the person may choose, whatever they have open
        catalogue, open_codes = workspace_catalogue_cached(), set()
    else:
        workspaces = user_workspaces(user=user, fresh=fresh, catalogue=True)
        catalogue, open_codes = workspaces.catalogue, set(workspaces.open_codes)
    if structure is not None:
        structure_codes = structure_workspace_codes(structure=structure)
        has_structure = True
    else:
        has_structure = user_attachment_summary(user=user).attachments > 0
        structure_codes = set(workspaces.structure_codes)
    allowed = (
        {workspace.code for workspace in catalogue if workspace.is_default} | structure_codes | open_codes
    )
    reason = (
        _("Your manager must first open this workspace on the structure.")
        if has_structure
        else _("Available once you are attached to a structure whose managers have opened it.")
    )
    return WorkspaceChoices(
        catalogue=catalogue, open_codes=open_codes, allowed_codes=allowed, blocked_reason=str(reason)
    )
