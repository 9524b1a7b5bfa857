import logging
from dataclasses import dataclass, field
from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import emails
from accounts.models import User
from accounts.ratelimit import rate_limit_count, rate_limit_hit
from accounts.selectors import user_get_by_login_email, user_signup_summary, user_workspace_choices
from accounts.signup_state import Outcome
from accounts.tokens import activation_tokens, password_reset_tokens
from chorus_portal.mail import email_enqueue
from structures.models import Event, IdentifierType, ModerationAction, Scope, Service, Structure
from structures.selectors import structure_get_by_identifier
from structures.services import (
    StructureData,
    attachment_request_approve,
    attachment_request_create,
    attachment_request_decide,
    event_record,
    member_activation_resend_claim,
    structure_create,
    structure_create_or_request_attachment,
    structure_workspaces_set,
)
from structures.sirene import SireneStatus, lookup_siret
from workspaces.selectors import workspace_user_has_activations
from workspaces.services import workspace_activations_set, workspace_activations_set_defaults

logger = logging.getLogger(__name__)


def user_signup_emails_send(*, user: User) -> None:
    """The two emails of seed 002 after a signup: the summary of what was created (account, structure or pending
    attachment request, workspaces, what happens next), then the activation email."""
    summary = user_signup_summary(user=user)
    transaction.on_commit(lambda: emails.signup_summary_email_send(user=user, summary=summary))
    user_activation_send(user=user)


def user_activation_send(*, user: User) -> None:
    """The activation email alone (account-first signup, a new link asked for, a manager's or admin's resend)."""
    if user.is_activated or not user.is_active:
        return
    token = activation_tokens.make(user)
    transaction.on_commit(lambda: emails.activation_email_send(user=user, token=token))


def user_activation_link_request(*, email: str) -> None:
    """Someone asks for a new activation link for ``email``. Sent only to an account that exists and awaits its
    activation, at most 3 times an hour per address; the caller answers the same in every case."""
    if rate_limit_hit(scope="activation-link-email", key=email, limit=3, period=3600):
        return
    user = user_get_by_login_email(email=email)
    if user is not None:
        user_activation_send(user=user)


@transaction.atomic
def user_activate(*, user: User, password: str, secret_question: str, secret_answer: str) -> User:
    """Activation from the emailed link: the password and the secret question are set and the account becomes
    usable. The caller has checked the link; the row is locked so that a double submit activates once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_activated:
        return user
    user.set_password(password)
    user.secret_question = secret_question
    user.set_secret_answer(secret_answer)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "secret_question", "secret_answer", "email_verified_at"])
    return user


def user_password_reset_request(*, email: str) -> None:
    """ "Forgot your password?": a reset link to the login email of an activated account, or a new activation
    link to an account that was never activated. The caller answers the same whether or not the account
    exists."""
    if rate_limit_hit(scope="password-reset-email", key=email, limit=3, period=3600):
        return
    user = user_get_by_login_email(email=email)
    if user is None or not user.is_active:
        return
    if not user.is_activated:
        user_activation_send(user=user)
        return
    token = password_reset_tokens.make(user)
    transaction.on_commit(lambda: emails.password_reset_email_send(user=user, token=token))


@transaction.atomic
def user_password_reset(*, user: User, password: str) -> User:
    """The new password chosen from a reset link, after the secret answer. Every session of the user ends: the
    sessions keep a hash of the password, which no longer matches."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    transaction.on_commit(lambda: emails.password_changed_email_send(user=user))
    return user


class SecretAnswerLocked(Exception):
    """Too many wrong secret answers for this account in the last hour."""


SECRET_ANSWER_MAX_ATTEMPTS = 5


def user_secret_answer_verify(*, user: User, answer: str) -> bool:
    """Whether ``answer`` is the user's secret answer (case, accents and spacing ignored). After
    SECRET_ANSWER_MAX_ATTEMPTS wrong answers in an hour, raises ``SecretAnswerLocked`` whatever the answer."""
    if rate_limit_count(scope="secret-answer", key=str(user.pk), period=3600) >= SECRET_ANSWER_MAX_ATTEMPTS:
        raise SecretAnswerLocked
    if user.check_secret_answer(answer):
        return True
    rate_limit_hit(scope="secret-answer", key=str(user.pk), limit=SECRET_ANSWER_MAX_ATTEMPTS, period=3600)
    return False


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
    """Store a new secret question and its answer, hashed (case, accents and punctuation ignored when checked)."""
    user.secret_question = secret_question
    user.set_secret_answer(secret_answer)
    user.save(update_fields=["secret_question", "secret_answer"])
    return user


@transaction.atomic
def user_workspaces_set(*, user, codes):
    """Open and close the user's workspaces at once, and write each change to their event feed. A workspace
    opens only when the user may open it (``user_workspace_choices``: a self-service one, or one open on one of
    their active structures); else ValidationError and nothing changes."""
    codes = set(codes)
    choices = user_workspace_choices(user=user, fresh=True)
    if (codes & {workspace.code for workspace in choices.catalogue}) - choices.allowed_codes:
        raise ValidationError(
            _("Your manager must first open this workspace on the structure."),
            code="workspace_not_open_on_structure",
        )
    opened, closed = workspace_activations_set(user=user, codes=codes)
    for workspace in opened:
        event_record(user=user, kind=Event.Kind.WORKSPACE_OPENED, actor=user, workspace=workspace)
    for workspace in closed:
        event_record(user=user, kind=Event.Kind.WORKSPACE_CLOSED, actor=user, workspace=workspace)
    return opened, closed


@transaction.atomic
def user_signup_workspaces_set(*, user, codes, structure=None):
    """Signup step 3 "Ouvrez vos espaces de travail": the person's workspaces and, when they have just created
    ``structure`` (its primary manager), the same workspaces open on the structure."""
    if structure is not None:
        structure_workspaces_set(by=user, structure=structure, codes=codes)
    return workspace_activations_set(user=user, codes=codes)


@transaction.atomic
def user_account_create(
    *,
    email,
    base_url,
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
    (no usable password) until its owner opens the emailed activation link.

    When ``email`` already has an account nothing is created and None is returned: its owner is emailed (at most
    once every 15 minutes) how to log in or recover the password, or gets a new activation email when the account
    was never activated. The caller answers the same in every case (no account enumeration); ``base_url`` builds
    the links of that email."""
    email = email.strip().lower()
    existing = user_get_by_login_email(email=email)
    if existing is None:
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
        except IntegrityError:  # the same address submitted twice at once
            existing = user_get_by_login_email(email=email)
        else:
            event_record(user=user, kind=Event.Kind.ACCOUNT_CREATED, actor=user)
            transaction.on_commit(lambda: user_activation_send(user=user))
            # The activation email has just gone out: a double submit must not add an "account exists" notice.
            transaction.on_commit(lambda: _account_exists_notice_hold(user=user))
            return user
    if existing is not None:
        user_signup_account_exists_notify(user=existing, base_url=base_url)
    return None


# --- Attached to a structure after an account-first signup: the first workspaces open (seed 003) -------------


@transaction.atomic
def user_workspaces_open_defaults(*, user, actor=None) -> list:
    """Open the default workspaces ("Factures émises", "Sollicitations émises") of a user who has never had any
    (an account created alone, now attached to a structure). A user who has already chosen keeps their choice.
    The user's row is locked: two attachments at once open them once. Returns the workspaces opened."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if workspace_user_has_activations(user=user):
        return []
    opened, _closed = workspace_activations_set_defaults(user=user)
    for workspace in opened:
        event_record(user=user, kind=Event.Kind.WORKSPACE_OPENED, actor=actor or user, workspace=workspace)
    return opened


@transaction.atomic
def user_structure_create(*, user, **data) -> Structure:
    """ "Saisie nouvelle structure" from "Mon Compte": the structure, with ``user`` as its primary manager
    (``structures.services.structure_create``), and the user's first workspaces."""
    structure = structure_create(user=user, **data)
    user_workspaces_open_defaults(user=user)
    return structure


def user_attachment_requests_decide(*, request_ids, by, approve, reason="") -> tuple[int, int]:
    """ "Valider" or "Refuser" several attachment requests at once (``attachment_request_decide``); an approved
    requester without any workspace gets the default ones. Each request is its own transaction; returns
    (decided, skipped) counts: a request another manager decided in the meantime is skipped, never decided
    twice."""
    decided = skipped = 0
    for request_id in request_ids:
        try:
            with transaction.atomic():
                request = attachment_request_decide(
                    request_id=request_id, by=by, approve=approve, reason=reason
                )
                if approve:
                    user_workspaces_open_defaults(user=request.user, actor=by)
        except ValidationError:
            skipped += 1
        else:
            decided += 1
    return decided, skipped


@transaction.atomic
def user_attachment_request_approve(*, request, by):
    """The admin's approval (``attachment_request_approve``), then the requester's first workspaces."""
    membership = attachment_request_approve(request=request, by=by)
    user_workspaces_open_defaults(user=membership.user, actor=by)
    return membership


@transaction.atomic
def user_member_activation_resend(*, structure, membership_id, by) -> User:
    """A manager sends a member's activation email again (the checks are the structure's)."""
    user = member_activation_resend_claim(structure=structure, membership_id=membership_id, by=by)
    user_activation_send(user=user)
    return user


# --- Signup in four steps (seeds 000, 001, 004, 002) -------------------------------------------------

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
    if not _account_exists_notice_hold(user=user):
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
        # Queued like every email: an SMTP outage delays the notice, never fails the signup page.
        email_enqueue(to=[user.email], subject=subject, body=body)
        if not user.is_activated:
            user_activation_send(user=user)

    transaction.on_commit(send)
    return True


def _account_exists_notice_hold(*, user: User) -> bool:
    """Start the 15 minutes during which the owner of ``user``'s address gets no (other) "account exists" notice.
    Returns False when they are already running."""
    key = f"signup:account-exists:{user.pk}"
    return cache.add(key, "1", timeout=int(ACCOUNT_EXISTS_NOTICE_INTERVAL.total_seconds()))


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


# --- Moderation from the admin --------------------------------------------------------------------------------------


def _require_perm(by, perm):
    if not (by.is_active and by.has_perm(perm)):
        raise PermissionDenied(_("You are not allowed to do this."))


@transaction.atomic
def user_activation_resend(*, user, by):
    """Send a not-yet-activated user their activation email again (an administrator's answer to a lost link)."""
    _require_perm(by, "structures.resend_activation")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_activated:
        raise ValidationError(_("This account is already activated."), code="already_activated")
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")
    ModerationAction.objects.record(
        actor=by, action=ModerationAction.Action.USER_ACTIVATION_RESEND, user=user
    )
    transaction.on_commit(lambda: user_activation_send(user=user))
    return user


@transaction.atomic
def user_unlock(*, user, by):
    """Lift a django-axes lockout on the user's login address. Returns how many failure records were removed."""
    _require_perm(by, "structures.unlock_user")
    # The lockout is recorded under the address as typed: reset every spelling of this login.
    usernames = set(
        AccessAttempt.objects.filter(username__iexact=user.email).values_list("username", flat=True)
    )
    removed = sum(reset(username=username) for username in usernames)
    ModerationAction.objects.record(
        actor=by, action=ModerationAction.Action.USER_UNLOCK, user=user, failure_records_removed=removed
    )
    return removed


@transaction.atomic
def user_deactivate(*, user, by, reason=""):
    """Deactivate an account: the person can no longer log in. The row and its history are kept."""
    _require_perm(by, "structures.deactivate_user")
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_superuser and not by.is_superuser:
        raise PermissionDenied(_("Only a superuser can deactivate a superuser."))
    if not user.is_active:
        raise ValidationError(_("This account is already deactivated."), code="already_inactive")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ModerationAction.objects.record(
        actor=by, action=ModerationAction.Action.USER_DEACTIVATE, user=user, reason=reason
    )
    return user
