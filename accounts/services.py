from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from structures.models import ModerationAction

# --- Moderation from the admin (admin branch) -------------------------------------------------------------------


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


# Provisional: replaced by the activation branch
def user_activation_send(*, user):
    with translation.override(user.language):
        subject = _("%(portal)s – activate your account") % {"portal": settings.PORTAL_NAME}
        body = _("Hello,\n\nActivate your %(portal)s account from the link of the portal.\n") % {
            "portal": settings.PORTAL_NAME
        }
    send_mail(subject, body, None, [user.email])
