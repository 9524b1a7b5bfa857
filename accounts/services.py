from django.db import transaction
from django.utils import timezone

from accounts import emails
from accounts.models import User
from accounts.ratelimit import rate_limit_count, rate_limit_hit
from accounts.selectors import user_get_by_login_email, user_signup_summary
from accounts.tokens import activation_tokens, password_reset_tokens


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
