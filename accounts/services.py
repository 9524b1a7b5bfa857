import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.signup_state import Outcome
from structures.models import IdentifierType, Scope, Service, Structure
from structures.selectors import structure_get_by_identifier
from structures.services import (
    StructureData,
    attachment_request_create,
    structure_create_or_request_attachment,
)
from structures.sirene import SireneStatus, lookup_siret
from workspaces.services import workspace_activations_set_defaults

logger = logging.getLogger(__name__)

ACCOUNT_EXISTS_NOTICE_INTERVAL = timedelta(minutes=15)


def account_activation_max_age() -> timedelta:
    """Validity of the activation link (``ACCOUNT_ACTIVATION_MAX_AGE``: a timedelta or a number of seconds)."""
    value = getattr(settings, "ACCOUNT_ACTIVATION_MAX_AGE", timedelta(hours=72))
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


# --- Signup, step 1: identification ----------------------------------------------------------------


@dataclass(frozen=True)
class SignupIdentification:
    """What step 1 found: a new structure (pre-filled from SIRENE when it answered) or an existing one."""

    outcome: str  # Outcome.NEW or Outcome.EXISTING
    structure_id: int | None = None
    prefill: dict = field(default_factory=dict)
    sirene_unavailable: bool = False


SIRET_UNKNOWN_MESSAGE = _(
    "This SIRET number is unknown to the INSEE SIRENE directory. Check it, or use “I don't have SIRET number”."
)
SIRET_CLOSED_MESSAGE = _(
    "This establishment is closed in the INSEE SIRENE directory: a structure can only be created for an active "
    "establishment."
)


def signup_identify(
    *, email: str, identifier_type: str, identifier: str, base_url: str
) -> SignupIdentification:
    """Step 1 of the signup: say whether the structure is new (with SIRENE's data) or already in the portal.

    Raises ``ValidationError`` (for the identifier field) when SIRENE knows the SIRET as unknown or closed.
    Whether ``email`` already has an account changes nothing here: its owner is told by email instead
    (``base_url`` builds the links of that email).
    """
    structure = structure_get_by_identifier(identifier_type=identifier_type, identifier=identifier)
    if structure is not None:
        identification = SignupIdentification(outcome=Outcome.EXISTING, structure_id=structure.pk)
    elif identifier_type != IdentifierType.SIRET:
        prefill = {"corporate_name": identifier} if identifier_type == IdentifierType.PARTICULIER else {}
        identification = SignupIdentification(outcome=Outcome.NEW, prefill=prefill)
    else:
        result = lookup_siret(identifier)
        if result.status == SireneStatus.UNKNOWN:
            raise ValidationError(SIRET_UNKNOWN_MESSAGE, code="siret_unknown")
        if result.status == SireneStatus.CLOSED:
            raise ValidationError(SIRET_CLOSED_MESSAGE, code="siret_closed")
        if result.status == SireneStatus.FOUND:
            prefill = {
                "corporate_name": result.corporate_name,
                "label": result.label,
                "is_non_diffusible": result.is_non_diffusible,
            }
            if not result.is_non_diffusible:
                prefill.update(
                    address=result.address,
                    address_complement_1=result.address_complement_1,
                    address_complement_2=result.address_complement_2,
                    postal_code=result.postal_code,
                    city=result.city,
                    country=result.country or "FR",
                )
            identification = SignupIdentification(
                outcome=Outcome.NEW, prefill={key: value for key, value in prefill.items() if value}
            )
        else:
            identification = SignupIdentification(outcome=Outcome.NEW, sirene_unavailable=True)

    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is not None:
        user_signup_account_exists_notify(user=existing_user, base_url=base_url)
    return identification


def user_signup_account_exists_notify(*, user: User, base_url: str) -> bool:
    """Tell the owner of an address that someone started a signup with it: the account exists, here is how to
    log in or recover the password (and, when it was never activated, a new activation email).

    At most one notice per address every 15 minutes. Returns whether a notice was sent.
    """
    key = f"signup:account-exists:{user.pk}"
    if not cache.add(key, "1", timeout=int(ACCOUNT_EXISTS_NOTICE_INTERVAL.total_seconds())):
        return False

    def send():
        with translation.override(user.language):
            context = {
                "user": user,
                "portal_name": settings.PORTAL_NAME,
                "login_url": base_url + reverse("login"),
                "password_reset_url": base_url + _reverse_or_home("password_reset"),
                "is_activated": user.is_activated,
            }
            subject = render_to_string("accounts/emails/account_exists_subject.txt", context).strip()
            body = render_to_string("accounts/emails/account_exists.txt", context)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
        if not user.is_activated:
            user_activation_send(user=user)

    transaction.on_commit(send)
    return True


def _reverse_or_home(name):
    # "password_reset" belongs to the activation branch: until it exists, the home page (its login box).
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("home")


# --- Signup, step 2: the account and the structure (or the attachment request) ----------------------


@dataclass(frozen=True)
class PersonData:
    email: str
    last_name: str
    first_name: str
    phone: str = ""
    contact_email: str = ""
    survey_consent: bool = False
    language: str = "fr"


@dataclass(frozen=True)
class SignupResult:
    """``user`` is None when the address already had an account: nothing was created (its owner got an email)."""

    user: User | None
    structure: Structure | None
    structure_created: bool = False
    attachment_requested: bool = False


class SignupAlreadySubmitted(Exception):
    """The same signup form was already submitted (double click): nothing was created this time."""


def user_signup(
    *,
    person: PersonData,
    structure_data: StructureData | None = None,
    structure: Structure | None = None,
    scope: str = Scope.STRUCTURE,
    services: list[Service] | tuple = (),
    submission_key: str = "",
) -> SignupResult:
    """Create the account (not activated yet), then either the new structure with the person as its primary
    manager, or a pending attachment request to the existing ``structure``; open the default workspaces; send
    the signup emails once committed.

    When someone creates the same structure at the same moment, the person gets an attachment request to it.
    ``submission_key`` makes a second submission of the same form (double click) raise ``SignupAlreadySubmitted``.
    """
    key = f"signup:submitted:{submission_key}" if submission_key else None
    if key and not cache.add(key, "1", timeout=3600):
        raise SignupAlreadySubmitted
    try:
        return _user_signup(
            person=person, structure_data=structure_data, structure=structure, scope=scope, services=services
        )
    except Exception:
        if key:
            cache.delete(key)  # nothing was created: the same form may be submitted again
        raise


def _user_signup(*, person, structure_data, structure, scope, services) -> SignupResult:
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=person.email,
                    last_name=person.last_name,
                    first_name=person.first_name,
                    phone=person.phone,
                    contact_email="" if person.contact_email == person.email else person.contact_email,
                    survey_consent=person.survey_consent,
                    language=person.language,
                )
        except IntegrityError:
            # The address has an account (told by email at step 1): same answer as for anyone else.
            return SignupResult(user=None, structure=structure)
        structure_created = attachment_requested = False
        if structure_data is not None:
            claim = structure_create_or_request_attachment(data=structure_data, user=user)
            structure, structure_created = claim.structure, claim.created
            attachment_requested = claim.attachment_request is not None
        elif structure is not None:
            attachment_request_create(user=user, structure=structure, scope=scope, services=services)
            attachment_requested = True
        workspace_activations_set_defaults(user=user)
        transaction.on_commit(lambda: user_signup_emails_send(user=user))
    return SignupResult(
        user=user,
        structure=structure,
        structure_created=structure_created,
        attachment_requested=attachment_requested,
    )


# Provisional: replaced by the activation branch


def user_signup_emails_send(*, user):
    """Provisional: one plain email to the login address saying the account was created."""
    with translation.override(user.language):
        subject = str(_("Your %(portal)s account has been created")) % {"portal": settings.PORTAL_NAME}
        body = str(
            _(
                "Your user account %(email)s has been created. An activation email follows: open its link to "
                "choose your password."
            )
        ) % {"email": user.email}
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()


def user_activation_send(*, user):
    """Provisional: one plain email to the login address about the activation of the account."""
    with translation.override(user.language):
        subject = str(_("Activate your %(portal)s account")) % {"portal": settings.PORTAL_NAME}
        body = str(_("Open the activation link of the portal to choose your password."))
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
