"""Emails about attachments, in the recipient's language, to their contact address. Called on commit."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chorus_portal.mail import email_enqueue


def _send(*, user, subject, template, context):
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**context, "user": user, "PORTAL_NAME": settings.PORTAL_NAME}
        body = render_to_string(f"structures/emails/{template}.txt", context)
        subject = f"[{settings.PORTAL_NAME}] {subject}"
    email_enqueue(to=[user.notification_email], subject=subject, body=body)


def attachment_request_decided(*, request):
    _send(
        user=request.user,
        subject=_("Your attachment request has been approved")
        if request.status == request.Status.APPROVED
        else _("Your attachment request has been refused"),
        template="attachment_request_decided",
        context={"request": request, "structure": request.structure},
    )


def attachment_request_received(*, request, manager):
    _send(
        user=manager,
        subject=_("New attachment request to your structure"),
        template="attachment_request_received",
        context={"request": request, "structure": request.structure, "requester": request.user},
    )


def attachment_request_reminder(*, request, manager):
    _send(
        user=manager,
        subject=_("Reminder: an attachment request awaits your decision"),
        template="attachment_request_received",
        context={
            "request": request,
            "structure": request.structure,
            "requester": request.user,
            "reminder": True,
        },
    )


def primary_manager_appointed(*, membership):
    """Tell a user appointed by the support that they are now the primary manager of a structure."""
    _send(
        user=membership.user,
        subject=_("You are now the primary manager of a structure"),
        template="primary_manager_appointed",
        context={"structure": membership.structure},
    )
