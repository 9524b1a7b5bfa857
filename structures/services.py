from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from structures import attachment_emails
from structures.models import AttachmentRequest, Membership, ModerationAction, Role, Structure

# --- Moderation (admin branch) ----------------------------------------------------------------------------------
# Every function locks the row it changes, checks the actor's right, and records a ModerationAction.


def _structure_lock(structure):
    return Structure.objects.select_for_update().get(pk=structure.pk)


def _require_perm(by, perm):
    if not (by.is_active and by.has_perm(perm)):
        raise PermissionDenied(_("You are not allowed to do this."))


@transaction.atomic
def structure_verify(*, structure, by):
    """Mark a structure as checked by a moderator. Returns the structure."""
    _require_perm(by, "structures.moderate_structure")
    locked = _structure_lock(structure)
    previous = locked.moderation
    if previous == Structure.Moderation.VERIFIED:
        raise ValidationError(_("This structure is already verified."), code="already_verified")
    if previous == Structure.Moderation.SUSPENDED:
        raise ValidationError(_("This structure is suspended: reactivate it instead."), code="suspended")
    locked.moderation = Structure.Moderation.VERIFIED
    locked.save(update_fields=["moderation", "updated_at"])
    ModerationAction.objects.record(
        actor=by, action=ModerationAction.Action.STRUCTURE_VERIFY, structure=locked, previous=previous
    )
    structure.moderation = locked.moderation
    return locked


@transaction.atomic
def structure_suspend(*, structure, by, reason=""):
    """Suspend a structure: it accepts no new attachment request and no approval until it is reactivated."""
    _require_perm(by, "structures.moderate_structure")
    locked = _structure_lock(structure)
    previous = locked.moderation
    if previous == Structure.Moderation.SUSPENDED:
        raise ValidationError(_("This structure is already suspended."), code="already_suspended")
    locked.moderation = Structure.Moderation.SUSPENDED
    locked.save(update_fields=["moderation", "updated_at"])
    ModerationAction.objects.record(
        actor=by,
        action=ModerationAction.Action.STRUCTURE_SUSPEND,
        structure=locked,
        previous=previous,
        reason=reason,
    )
    structure.moderation = locked.moderation
    return locked


@transaction.atomic
def structure_reactivate(*, structure, by):
    """Lift a suspension. The structure goes back to "verified" (a moderator has looked at it)."""
    _require_perm(by, "structures.moderate_structure")
    locked = _structure_lock(structure)
    if locked.moderation != Structure.Moderation.SUSPENDED:
        raise ValidationError(_("This structure is not suspended."), code="not_suspended")
    locked.moderation = Structure.Moderation.VERIFIED
    locked.save(update_fields=["moderation", "updated_at"])
    ModerationAction.objects.record(
        actor=by,
        action=ModerationAction.Action.STRUCTURE_REACTIVATE,
        structure=locked,
        previous=Structure.Moderation.SUSPENDED,
    )
    structure.moderation = locked.moderation
    return locked


@transaction.atomic
def structure_primary_manager_appoint(*, structure, user, by):
    """Make ``user`` the primary manager of ``structure`` (the support's answer to a primary manager gone).

    The former primary manager stays a secondary manager if their account is still active, and is detached
    otherwise. The appointed user's pending request to the structure, if any, is approved. Returns the membership.
    """
    _require_perm(by, "structures.appoint_primary_manager")
    locked = _structure_lock(structure)
    if not (user.is_active and user.is_activated):
        raise ValidationError(
            _("The new primary manager must have an active, activated account."), code="user_not_active"
        )
    now = timezone.now()
    former = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(structure=locked, is_active=True, role=Role.PRIMARY_MANAGER)
        .first()
    )
    if former is not None and former.user_id == user.pk:
        raise ValidationError(_("This user is already the primary manager."), code="already_primary_manager")
    if former is not None:
        if former.user.is_active:
            former.role = Role.SECONDARY_MANAGER
        else:
            former.is_active = False
        former.updated_by = by
        former.save(update_fields=["role", "is_active", "updated_by", "updated_at"])

    membership = (
        Membership.objects.select_for_update().filter(structure=locked, user=user, is_active=True).first()
    )
    if membership is None:
        membership = Membership.objects.create(
            structure=locked, user=user, role=Role.PRIMARY_MANAGER, updated_by=by, created_at=now
        )
    else:
        membership.role = Role.PRIMARY_MANAGER
        membership.updated_by = by
        membership.save(update_fields=["role", "updated_by", "updated_at"])

    pending = (
        AttachmentRequest.objects.select_for_update()
        .filter(structure=locked, user=user, status=AttachmentRequest.Status.PENDING)
        .first()
    )
    if pending is not None:
        pending.status = AttachmentRequest.Status.APPROVED
        pending.decided_at = now
        pending.decided_by = by
        pending.save(update_fields=["status", "decided_at", "decided_by"])

    ModerationAction.objects.record(
        actor=by,
        action=ModerationAction.Action.PRIMARY_MANAGER_APPOINT,
        structure=locked,
        user=user,
        attachment_request=pending,
        former_primary_manager=former.user.email if former else None,
        former_primary_manager_kept=bool(former and former.is_active),
    )
    transaction.on_commit(lambda: attachment_emails.primary_manager_appointed_send(membership=membership))
    return membership


def _request_lock_and_check(request, by):
    locked = (
        AttachmentRequest.objects.select_for_update().select_related("structure", "user").get(pk=request.pk)
    )
    is_manager = Membership.objects.filter(
        structure_id=locked.structure_id,
        user=by,
        is_active=True,
        role__in=[Role.PRIMARY_MANAGER, Role.SECONDARY_MANAGER],
    ).exists()
    if not (by.is_active and (is_manager or by.has_perm("structures.decide_attachmentrequest"))):
        raise PermissionDenied(_("You are not allowed to decide this attachment request."))
    if locked.status != AttachmentRequest.Status.PENDING:
        raise ValidationError(
            _("This request has already been decided (%(status)s).")
            % {"status": locked.get_status_display()},
            code="already_decided",
        )
    return locked


@transaction.atomic
def attachment_request_approve(*, request, by):
    """Approve a pending request: the requester is attached with the scope and services asked for.

    Allowed to the structure's managers and to staff with the "decide attachment requests" permission.
    The requester is emailed once the transaction commits. Returns the new membership.
    """
    locked = _request_lock_and_check(request, by)
    structure = Structure.objects.select_for_update().get(pk=locked.structure_id)
    if not locked.user.is_active:
        raise ValidationError(_("The requester's account is deactivated."), code="requester_inactive")
    if not structure.accepts_attachment_requests:
        raise ValidationError(
            _("This structure is suspended: no attachment can be approved until it is reactivated."),
            code="structure_suspended",
        )
    now = timezone.now()
    membership = Membership.objects.select_for_update().filter(
        structure=structure, user=locked.user, is_active=True
    )
    membership = membership.first()
    if membership is None:
        membership = Membership.objects.create(
            structure=structure,
            user=locked.user,
            role=Role.USER,
            scope=locked.scope,
            updated_by=by,
            created_at=now,
        )
        membership.services.set(locked.services.all())
    locked.status = AttachmentRequest.Status.APPROVED
    locked.decided_at = now
    locked.decided_by = by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    ModerationAction.objects.record(
        actor=by,
        action=ModerationAction.Action.REQUEST_APPROVE,
        structure=structure,
        user=locked.user,
        attachment_request=locked,
    )
    transaction.on_commit(lambda: attachment_emails.attachment_request_decided_send(request=locked))
    _copy_decision(locked, request)
    return membership


@transaction.atomic
def attachment_request_refuse(*, request, by, reason=""):
    """Refuse a pending request, with an optional reason told to the requester by email. Returns the request."""
    locked = _request_lock_and_check(request, by)
    locked.status = AttachmentRequest.Status.REFUSED
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.reason = reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    ModerationAction.objects.record(
        actor=by,
        action=ModerationAction.Action.REQUEST_REFUSE,
        structure=locked.structure,
        user=locked.user,
        attachment_request=locked,
        reason=reason,
    )
    transaction.on_commit(lambda: attachment_emails.attachment_request_decided_send(request=locked))
    _copy_decision(locked, request)
    return locked


def _copy_decision(locked, request):
    for field in ("status", "decided_at", "decided_by", "reason"):
        setattr(request, field, getattr(locked, field))
