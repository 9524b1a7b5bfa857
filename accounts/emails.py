"""The emails of the accounts app, rendered from ``templates/accounts/emails/<name>.{subject.txt,txt,html}`` in the
recipient's language, and queued for delivery (``chorus_portal.mail``)."""

from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from chorus_portal.mail import email_enqueue


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


def link_validity(max_age_seconds: int) -> dict:
    """How long a link lives, for the email's wording: hours (or minutes under an hour) and the deadline."""
    return {
        "hours": max_age_seconds // 3600,
        "minutes": max_age_seconds // 60,
        "expires_at": timezone.localtime(timezone.now() + timedelta(seconds=max_age_seconds)),
    }


def email_render_and_enqueue(*, user: User, name: str, to: str, context: dict) -> None:
    with translation.override(user.language):
        context = {
            "user": user,
            "PORTAL_NAME": settings.PORTAL_NAME,
            "PORTAL_CONTACT_EMAIL": settings.PORTAL_CONTACT_EMAIL,
            "home_url": absolute_url(reverse("home")),
            **context,
        }
        subject = render_to_string(f"accounts/emails/{name}.subject.txt", context)
        body = render_to_string(f"accounts/emails/{name}.txt", context)
        html = render_to_string(f"accounts/emails/{name}.html", context)
    email_enqueue(to=[to], subject=subject, body=body, html=html)


def signup_summary_email_send(*, user: User, summary: dict) -> None:
    email_render_and_enqueue(
        user=user,
        name="signup_summary",
        to=user.email,
        context={**summary, "validity": link_validity(settings.ACCOUNT_ACTIVATION_MAX_AGE)},
    )


def activation_email_send(*, user: User, token: str) -> None:
    with translation.override(user.language):
        url = absolute_url(reverse("activate", kwargs={"token": token}))
    email_render_and_enqueue(
        user=user,
        name="activation",
        to=user.email,
        context={"activation_url": url, "validity": link_validity(settings.ACCOUNT_ACTIVATION_MAX_AGE)},
    )


def password_reset_email_send(*, user: User, token: str) -> None:
    with translation.override(user.language):
        url = absolute_url(reverse("password_reset_confirm", kwargs={"token": token}))
    email_render_and_enqueue(
        user=user,
        name="password_reset",
        to=user.email,
        context={"reset_url": url, "validity": link_validity(settings.PASSWORD_RESET_TIMEOUT)},
    )


def password_changed_email_send(*, user: User) -> None:
    email_render_and_enqueue(user=user, name="password_changed", to=user.email, context={})
