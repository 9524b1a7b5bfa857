"""Deployment checks of the portal, run by `manage.py check --deploy` (and so by `make serve` before it starts)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connections

IMMEDIATE_TASKS_BACKEND = "django.tasks.backends.immediate.ImmediateBackend"


@register(Tags.security, deploy=True)
def check_emails_queued(app_configs, **kwargs):
    """Emails go through the database task queue in production, so that an SMTP outage loses none of them."""
    if settings.TASKS["default"]["BACKEND"] == IMMEDIATE_TASKS_BACKEND:
        return [
            Warning(
                "Emails are sent inside the request (immediate tasks backend): an SMTP outage loses them.",
                hint="Set TASKS_BACKEND=django_tasks_db.DatabaseBackend and run `manage.py db_worker`.",
                id="chorus_portal.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_postgresql(app_configs, **kwargs):
    """Production runs on PostgreSQL: several web processes and the email worker write at the same time."""
    if connections["default"].vendor != "postgresql":
        return [
            Warning(
                "The database is not PostgreSQL: SQLite serialises every write of the web processes and the worker.",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/name.",
                id="chorus_portal.W002",
            )
        ]
    return []
