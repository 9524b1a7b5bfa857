"""Emails about attachment decisions, written in the recipient's language and sent once the decision commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from structures.models import AttachmentRequest


def attachment_request_decided_send(*, request):
    """Tell the requester that their attachment request was approved or refused (with the reason if any)."""
    user = request.user
    with translation.override(user.language):
        values = {
            "portal": settings.PORTAL_NAME,
            "structure": f"{request.structure.identifier} – {request.structure.corporate_name}",
        }
        if request.status == AttachmentRequest.Status.APPROVED:
            subject = _("%(portal)s – your attachment request has been approved") % values
            body = (
                _(
                    "Hello,\n\nYour request to be attached to the structure %(structure)s has been approved. "
                    "You can now work on behalf of this structure in %(portal)s.\n"
                )
                % values
            )
        else:
            subject = _("%(portal)s – your attachment request has been refused") % values
            body = (
                _("Hello,\n\nYour request to be attached to the structure %(structure)s has been refused.\n")
                % values
            )
            if request.reason:
                body += _("Reason given: %(reason)s\n") % {"reason": request.reason}
        body += "\n" + _("The %(portal)s team") % values + "\n"
    send_mail(subject, body, None, [user.notification_email])


def primary_manager_appointed_send(*, membership):
    """Tell a user appointed by the support that they are now the primary manager of a structure."""
    user = membership.user
    structure = membership.structure
    with translation.override(user.language):
        values = {
            "portal": settings.PORTAL_NAME,
            "structure": f"{structure.identifier} – {structure.corporate_name}",
        }
        subject = _("%(portal)s – you are now the primary manager of a structure") % values
        body = (
            _(
                "Hello,\n\nThe %(portal)s support has appointed you primary manager of the structure %(structure)s. "
                "You now approve or refuse the requests to be attached to it, in “Manager activities”.\n\n"
                "The %(portal)s team\n"
            )
            % values
        )
    send_mail(subject, body, None, [user.notification_email])
