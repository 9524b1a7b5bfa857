from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import emails
from accounts.models import User
from accounts.ratelimit import rate_limit_count, rate_limit_hit
from accounts.selectors import user_get_by_login_email, user_signup_summary
from accounts.tokens import activation_tokens, password_reset_tokens
from structures.models import Event
from structures.services import event_record
from workspaces.services import workspace_activations_set


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
