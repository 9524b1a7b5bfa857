from accounts.models import User
from structures.models import AttachmentRequest, Membership
from workspaces.models import WorkspaceActivation


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
