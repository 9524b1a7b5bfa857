from django.db import transaction

from structures.models import Event
from structures.services import event_record
from workspaces.services import workspace_activations_set


@transaction.atomic
def user_profile_update(*, user, contact_email, last_name, first_name, phone):
    """ "Mes informations personnelles". The login email is not changed here."""
    user.contact_email = contact_email.strip().lower()
    user.last_name = last_name.strip()
    user.first_name = first_name.strip()
    user.phone = phone.strip()
    user.save(update_fields=["contact_email", "last_name", "first_name", "phone"])
    return user


@transaction.atomic
def user_password_change(*, user, new_password):
    """Set a new password (the form checked the current one)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_workspaces_set(*, user, codes):
    """Open and close the user's workspaces at once, and write each change to their event feed."""
    opened, closed = workspace_activations_set(user=user, codes=codes)
    for workspace in opened:
        event_record(user=user, kind=Event.Kind.WORKSPACE_OPENED, actor=user, workspace=workspace)
    for workspace in closed:
        event_record(user=user, kind=Event.Kind.WORKSPACE_CLOSED, actor=user, workspace=workspace)
    return opened, closed


# Provisional: replaced by the activation branch
def user_activation_send(*, user):
    """Send the activation email alone (provisional minimal version: one plain email to the login address)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = gettext("Activate your user account")
        body = gettext("Open the activation link of the portal to activate your account.")
    send_mail(f"[{settings.PORTAL_NAME}] {subject}", body, None, [user.email])
