"""Email delivery through ``django.tasks``: one task sends one message.

On the embedded default the immediate backend sends at once (to the console). In production the database backend
(``TASKS_BACKEND=django_tasks_db.DatabaseBackend``) keeps each message in the database until the worker
(``python manage.py db_worker``) has delivered it; a delivery that fails for a temporary reason (SMTP server down,
timeout, 4xx answer) is queued again with an exponential backoff, so an outage delays emails but loses none.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


def email_enqueue(*, to: list[str], subject: str, body: str, html: str = "") -> None:
    """Queue one message for delivery (from ``DEFAULT_FROM_EMAIL``)."""
    message = {
        # A subject is one line: no header injection through a user's name.
        "subject": " ".join(str(subject).split()),
        "body": str(body),
        "html": str(html),
        "to": [str(address) for address in to],
        "from_email": settings.DEFAULT_FROM_EMAIL,
    }
    email_deliver.enqueue(message=message)


def is_temporary_failure(error: Exception) -> bool:
    """True when trying again later may succeed: the server is unreachable or answered 4xx."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def retry_delay(attempt: int) -> timedelta:
    """Delay before attempt ``attempt + 1``: doubles from EMAIL_DELIVERY_RETRY_DELAY up to the maximum."""
    seconds = settings.EMAIL_DELIVERY_RETRY_DELAY * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, settings.EMAIL_DELIVERY_RETRY_MAX_DELAY))


@task()
def email_deliver(*, message: dict, attempt: int = 1) -> int:
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    try:
        return email.send()
    except Exception as error:
        backend = email_deliver.get_backend()
        if (
            is_temporary_failure(error)
            and backend.supports_defer
            and attempt < settings.EMAIL_DELIVERY_MAX_ATTEMPTS
        ):
            delay = retry_delay(attempt)
            email_deliver.using(run_after=timezone.now() + delay).enqueue(
                message=message, attempt=attempt + 1
            )
            logger.warning(
                "Email %r to %s not delivered (attempt %d: %s); next attempt in %s.",
                message["subject"],
                ", ".join(message["to"]),
                attempt,
                error,
                delay,
            )
        else:
            logger.error(
                "Email %r to %s not delivered (attempt %d: %s); giving up.",
                message["subject"],
                ", ".join(message["to"]),
                attempt,
                error,
            )
        raise
