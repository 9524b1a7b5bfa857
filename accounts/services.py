from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
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
def user_secret_question_change(*, user, secret_question, secret_answer):
    """Store a new secret question and its answer, hashed (case and spaces ignored when checked)."""
    user.secret_question = secret_question
    user.secret_answer = make_password(" ".join(secret_answer.split()).casefold())
    user.save(update_fields=["secret_question", "secret_answer"])
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


@transaction.atomic
def user_account_create(
    *,
    email,
    contact_email="",
    last_name,
    first_name,
    address,
    address_complement_1="",
    address_complement_2="",
    postal_code,
    city,
    country="FR",
    phone="",
    fax="",
    language="fr",
):
    """Account-first signup (seed 003 "Saisie nouvel utilisateur"): the account without a structure, not activated
    (no usable password) until its owner opens the emailed activation link."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=None,
                contact_email=contact_email.strip().lower(),
                last_name=last_name.strip(),
                first_name=first_name.strip(),
                address=address.strip(),
                address_complement_1=address_complement_1.strip(),
                address_complement_2=address_complement_2.strip(),
                postal_code=postal_code.strip(),
                city=city.strip(),
                country=country,
                phone=phone.strip(),
                fax=fax.strip(),
                language=language,
            )
    except IntegrityError as error:  # the same address submitted twice at once
        raise ValidationError(_("An account already exists with this address."), code="exists") from error
    event_record(user=user, kind=Event.Kind.ACCOUNT_CREATED, actor=user)
    transaction.on_commit(lambda: user_activation_send(user=user))
    return user


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
