"""Every write on structures, attachments and the event feed. Each function that acts on a structure checks the
actor's role on *that* structure first: a manager of structure A can never act on structure B."""

import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn

from structures import emails
from structures.models import (
    AttachmentRequest,
    Event,
    Membership,
    ModerationAction,
    Role,
    Scope,
    Service,
    Structure,
    StructureWorkspace,
)
from structures.sirene import SireneStatus, lookup_siret
from workspaces.selectors import workspace_catalogue
from workspaces.services import workspace_activations_close

MANAGER_ROLES = (Role.PRIMARY_MANAGER, Role.SECONDARY_MANAGER)

logger = logging.getLogger(__name__)


# --- event feed ---------------------------------------------------------------------------------------------


def events_record_for_members(*, structure, kind, actor=None):
    """Add the same line to the feed of every active member of ``structure`` (one query to read, one to write)."""
    user_ids = Membership.objects.filter(structure=structure, is_active=True).values_list(
        "user_id", flat=True
    )
    return Event.objects.bulk_create(
        Event(user_id=user_id, kind=kind, actor=actor, structure=structure) for user_id in user_ids
    )


def event_record(*, user, kind, actor=None, structure=None, subject=None, workspace=None, role="", reason=""):
    """Add a line to ``user``'s "Fil d'événements". Called by the services that make the change."""
    return Event.objects.create(
        user=user,
        kind=kind,
        actor=actor,
        structure=structure,
        subject=subject,
        workspace=workspace,
        role=role,
        reason=reason[:500],
    )


# --- role checks --------------------------------------------------------------------------------------------


def _membership_of(*, user, structure, roles, lock=False):
    """The actor's active membership on ``structure`` with one of ``roles``, or PermissionDenied."""
    queryset = Membership.objects.filter(user=user, structure=structure, is_active=True, role__in=roles)
    if lock:
        queryset = queryset.select_for_update()
    membership = queryset.first()
    if membership is None or not user.is_active:
        raise PermissionDenied("Not a manager of this structure.")
    return membership


def _require_manager(*, user, structure, lock=False):
    return _membership_of(user=user, structure=structure, roles=MANAGER_ROLES, lock=lock)


def _require_primary_manager(*, user, structure, lock=False):
    return _membership_of(user=user, structure=structure, roles=[Role.PRIMARY_MANAGER], lock=lock)


# --- attachment requests (the requester's side) -----------------------------------------------------------------


@transaction.atomic
def attachment_request_create(*, user, structure, scope=Scope.STRUCTURE, services=()):
    """Ask to be attached to an existing structure; its managers decide. Notifies the primary manager."""
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    if structure.status != Structure.Status.ACTIVE or structure.moderation == Structure.Moderation.SUSPENDED:
        raise ValidationError(_("This structure is not active: no attachment request can be sent to it."))
    if Membership.objects.filter(user=user, structure=structure, is_active=True).exists():
        raise ValidationError(_("You are already attached to this structure."), code="already_attached")
    if AttachmentRequest.objects.filter(
        user=user, structure=structure, status=AttachmentRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            _("You already have a pending attachment request to this structure."), code="already_pending"
        )
    services = list(services)
    if scope == Scope.SERVICES:
        if not services:
            raise ValidationError(_("Choose at least one service."), code="no_service")
        if any(service.structure_id != structure.pk or not service.is_active for service in services):
            raise ValidationError(_("Choose active services of this structure."), code="bad_service")
    else:
        services = []
    try:
        with transaction.atomic():
            request = AttachmentRequest.objects.create(user=user, structure=structure, scope=scope)
    except IntegrityError as error:  # a double submit that slipped between the check and the insert
        raise ValidationError(
            _("You already have a pending attachment request to this structure."), code="already_pending"
        ) from error
    if services:
        request.services.set(services)
    event_record(user=user, kind=Event.Kind.REQUEST_SENT, actor=user, structure=structure)
    managers = list(
        Membership.objects.filter(structure=structure, is_active=True, role__in=MANAGER_ROLES).select_related(
            "user"
        )
    )
    for membership in managers:
        event_record(
            user=membership.user,
            kind=Event.Kind.REQUEST_RECEIVED,
            actor=user,
            structure=structure,
            subject=user,
        )
    primary = next((m.user for m in managers if m.role == Role.PRIMARY_MANAGER), None)
    if primary is not None:
        transaction.on_commit(lambda: emails.attachment_request_received(request=request, manager=primary))
    return request


def _own_pending_request(*, request_id, user):
    request = (
        AttachmentRequest.objects.select_for_update()
        .filter(pk=request_id, user=user)
        .select_related("structure")
        .first()
    )
    if request is None:
        raise PermissionDenied("Not your request.")
    if request.status != AttachmentRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided or cancelled."), code="not_pending")
    return request


@transaction.atomic
def attachment_request_cancel(*, request_id, user):
    """The requester withdraws a pending request. The row stays, as cancelled."""
    request = _own_pending_request(request_id=request_id, user=user)
    request.status = AttachmentRequest.Status.CANCELLED
    request.decided_at = timezone.now()
    request.decided_by = user
    request.save(update_fields=["status", "decided_at", "decided_by"])
    event_record(user=user, kind=Event.Kind.REQUEST_CANCELLED, actor=user, structure=request.structure)
    return request


@transaction.atomic
def attachment_request_remind(*, request_id, user):
    """Email the primary manager again about a pending request, at most once per reminder interval."""
    request = _own_pending_request(request_id=request_id, user=user)
    if not request.can_remind:
        raise ValidationError(
            _("The manager was notified less than %(hours)s hours ago. You can remind them later.")
            % {"hours": getattr(settings, "PORTAL_ATTACHMENT_REMINDER_HOURS", 24)},
            code="too_soon",
        )
    primary = (
        Membership.objects.filter(structure=request.structure, is_active=True, role=Role.PRIMARY_MANAGER)
        .select_related("user")
        .first()
    )
    if primary is None:
        raise ValidationError(
            _(
                "This structure has no primary manager any more. Contact the portal's support, who can appoint "
                "a new one."
            ),
            code="no_manager",
        )
    request.reminded_at = timezone.now()
    request.save(update_fields=["reminded_at"])
    event_record(
        user=primary.user,
        kind=Event.Kind.REQUEST_REMINDED,
        actor=user,
        structure=request.structure,
        subject=user,
    )
    manager = primary.user
    transaction.on_commit(lambda: emails.attachment_request_reminder(request=request, manager=manager))
    return request


# --- attachment requests (the managers' side) --------------------------------------------------------------------


@transaction.atomic
def attachment_request_decide(*, request_id, by, approve, reason=""):
    """Approve or refuse one pending request, as a manager of its structure or as staff allowed to decide
    attachment requests (the support). The row is locked: two managers deciding at once, or a double submit, end
    as one decision (the second gets "already decided"). A decision by staff is recorded in the moderation
    history."""
    request = (
        AttachmentRequest.objects.select_for_update(of=("self",))
        .select_related("structure", "user")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise PermissionDenied("No such request.")
    is_manager = Membership.objects.filter(
        user=by, structure=request.structure, is_active=True, role__in=MANAGER_ROLES
    ).exists()
    if not (by.is_active and (is_manager or by.has_perm("structures.decide_attachmentrequest"))):
        raise PermissionDenied(_("You are not allowed to decide this attachment request."))
    if request.status != AttachmentRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided or cancelled."), code="not_pending")
    if approve and not request.user.is_active:
        raise ValidationError(_("The requester's account is deactivated."), code="requester_inactive")
    if approve and not request.structure.accepts_attachment_requests:
        raise ValidationError(
            _("This structure is suspended: no attachment can be approved until it is reactivated."),
            code="structure_suspended",
        )
    now = timezone.now()
    request.status = AttachmentRequest.Status.APPROVED if approve else AttachmentRequest.Status.REFUSED
    request.decided_at = now
    request.decided_by = by
    request.reason = reason.strip()
    request.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    if (
        approve
        and not Membership.objects.filter(
            user=request.user, structure=request.structure, is_active=True
        ).exists()
    ):
        membership = Membership.objects.create(
            user=request.user,
            structure=request.structure,
            role=Role.USER,
            scope=request.scope,
            updated_by=by,
        )
        if request.scope == Scope.SERVICES:
            membership.services.set(request.services.all())
    event_record(
        user=request.user,
        kind=Event.Kind.REQUEST_APPROVED if approve else Event.Kind.REQUEST_REFUSED,
        actor=by,
        structure=request.structure,
        reason=request.reason,
    )
    event_record(
        user=by,
        kind=Event.Kind.APPROVED_BY_YOU if approve else Event.Kind.REFUSED_BY_YOU,
        actor=by,
        structure=request.structure,
        subject=request.user,
        reason=request.reason,
    )
    if not is_manager:
        ModerationAction.objects.record(
            actor=by,
            action=ModerationAction.Action.REQUEST_APPROVE
            if approve
            else ModerationAction.Action.REQUEST_REFUSE,
            structure=request.structure,
            user=request.user,
            attachment_request=request,
            reason=request.reason,
        )
    transaction.on_commit(lambda: emails.attachment_request_decided(request=request))
    return request


# --- memberships -------------------------------------------------------------------------------------------------


def _member(*, membership_id, structure):
    membership = (
        Membership.objects.select_for_update()
        .filter(pk=membership_id, structure=structure, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError(_("This user is no longer attached to the structure."), code="not_member")
    return membership


@transaction.atomic
def membership_role_set(*, structure, membership_id, by, role):
    """Make a member secondary manager, or back to user. The primary manager's role moves only by transfer."""
    _require_manager(user=by, structure=structure)
    if role not in (Role.SECONDARY_MANAGER, Role.USER):
        raise ValidationError(_("This role cannot be given here."), code="bad_role")
    membership = _member(membership_id=membership_id, structure=structure)
    if membership.role == Role.PRIMARY_MANAGER:
        raise ValidationError(
            _("The primary manager's role changes only by a transfer to another member."), code="primary"
        )
    if membership.user_id == by.pk:
        raise ValidationError(_("You cannot change your own role."), code="self")
    if membership.role == role:
        return membership
    membership.role = role
    membership.updated_by = by
    membership.save(update_fields=["role", "updated_by", "updated_at"])
    event_record(user=membership.user, kind=Event.Kind.ROLE_CHANGED, actor=by, structure=structure, role=role)
    return membership


@transaction.atomic
def membership_detach(*, structure, membership_id, by):
    """A manager detaches a member (never the primary manager). The row stays, inactive."""
    _require_manager(user=by, structure=structure)
    membership = _member(membership_id=membership_id, structure=structure)
    if membership.role == Role.PRIMARY_MANAGER:
        raise ValidationError(_("The primary manager cannot be detached."), code="primary")
    if membership.user_id == by.pk:
        raise ValidationError(_("Use “My account” to detach yourself."), code="self")
    if (
        membership.role == Role.SECONDARY_MANAGER
        and not Membership.objects.filter(
            user=by, structure=structure, is_active=True, role=Role.PRIMARY_MANAGER
        ).exists()
    ):
        raise PermissionDenied("Only the primary manager detaches a secondary manager.")
    return _deactivate(membership=membership, by=by)


def _deactivate(*, membership, by):
    """The member leaves the structure; so do the workspaces that came to them only through it."""
    membership.is_active = False
    membership.updated_by = by
    membership.save(update_fields=["is_active", "updated_by", "updated_at"])
    event_record(user=membership.user, kind=Event.Kind.DETACHED, actor=by, structure=membership.structure)
    for opened in StructureWorkspace.objects.filter(
        structure=membership.structure, is_active=True, workspace__is_default=False
    ).select_related("workspace"):
        _workspace_withdraw(
            structure=membership.structure,
            workspace=opened.workspace,
            by=by,
            member_ids=[membership.user_id],
            kind=Event.Kind.WORKSPACE_LEFT,
        )
    return membership


@transaction.atomic
def memberships_leave(*, user, membership_ids):
    """ "Supprimer rattachements": the user detaches themselves. A primary manager first transfers the role."""
    memberships = list(
        Membership.objects.select_for_update()
        .filter(user=user, pk__in=membership_ids, is_active=True)
        .select_related("structure")
    )
    if not memberships:
        raise ValidationError(_("Select at least one attachment."), code="empty")
    if any(membership.role == Role.PRIMARY_MANAGER for membership in memberships):
        raise ValidationError(
            _(
                "You are the primary manager of %(structure)s: transfer this role to another member in "
                "“Manager activities” before detaching yourself."
            )
            % {
                "structure": next(
                    m.structure.display_name for m in memberships if m.role == Role.PRIMARY_MANAGER
                )
            },
            code="primary",
        )
    for membership in memberships:
        _deactivate(membership=membership, by=user)
    return memberships


@transaction.atomic
def primary_manager_transfer(*, structure, membership_id, by):
    """The primary manager hands the role to another active member, and becomes secondary manager."""
    current = _require_primary_manager(user=by, structure=structure, lock=True)
    target = _member(membership_id=membership_id, structure=structure)
    if target.pk == current.pk:
        raise ValidationError(_("You are already the primary manager."), code="self")
    if not target.user.is_active or not target.user.is_activated:
        raise ValidationError(
            _("The new primary manager must have an activated account."), code="not_activated"
        )
    current.role = Role.SECONDARY_MANAGER
    current.updated_by = by
    current.save(update_fields=["role", "updated_by", "updated_at"])
    target.role = Role.PRIMARY_MANAGER
    target.updated_by = by
    target.save(update_fields=["role", "updated_by", "updated_at"])
    event_record(
        user=target.user,
        kind=Event.Kind.ROLE_CHANGED,
        actor=by,
        structure=structure,
        role=Role.PRIMARY_MANAGER,
    )
    event_record(
        user=by, kind=Event.Kind.ROLE_CHANGED, actor=by, structure=structure, role=Role.SECONDARY_MANAGER
    )
    return target


@transaction.atomic
def member_activation_resend_claim(*, structure, membership_id, by):
    """A manager may send a member's activation email again (at most once per ten minutes per member): checks
    the manager's role and the member's state, and returns the member's user. The caller (the accounts layer)
    sends the email."""
    _require_manager(user=by, structure=structure)
    membership = _member(membership_id=membership_id, structure=structure)
    user = membership.user
    if user.is_activated:
        raise ValidationError(_("This account is already activated."), code="activated")
    if not cache.add(f"activation-resend:{user.pk}", 1, timeout=600):
        raise ValidationError(
            _("An activation email was sent to this user a few minutes ago. Try again later."),
            code="too_soon",
        )
    return user


# --- services (departments) of a structure -----------------------------------------------------------------------


@transaction.atomic
def service_create(*, structure, by, code, name):
    _require_manager(user=by, structure=structure)
    code = code.strip().upper()
    if Service.objects.filter(structure=structure, code=code).exists():
        raise ValidationError(
            _("A service with this code already exists in this structure."), code="duplicate"
        )
    try:
        with transaction.atomic():
            return Service.objects.create(structure=structure, code=code, name=name.strip())
    except IntegrityError as error:
        raise ValidationError(
            _("A service with this code already exists in this structure."), code="duplicate"
        ) from error


@transaction.atomic
def service_update(*, structure, service_id, by, name, is_active):
    _require_manager(user=by, structure=structure)
    service = Service.objects.select_for_update().filter(pk=service_id, structure=structure).first()
    if service is None:
        raise PermissionDenied("Not a service of this structure.")
    service.name = name.strip()
    service.is_active = is_active
    service.save(update_fields=["name", "is_active"])
    return service


# --- workspaces of a structure (« Liste des espaces de la structure ») ------------------------------------------


@dataclass(frozen=True)
class StructureWorkspacesChange:
    """What ``structure_workspaces_set`` changed: the workspaces opened and closed on the structure, and how many
    members had a workspace closed for them as a consequence (``withdrawn``)."""

    opened: list
    closed: list
    withdrawn: int = 0

    @property
    def changed(self):
        return bool(self.opened or self.closed)


def _structure_workspaces_apply(*, structure, codes, by, new=False):
    """Make the workspaces open on ``structure`` exactly the available ones in ``codes`` (None: the default ones
    of the catalogue); rows are switched on and off, never deleted. Returns (opened, closed) workspaces. The
    caller holds the structure's row lock; ``new``: the structure has just been created (it has no row yet)."""
    catalogue = list(workspace_catalogue())
    if codes is None:
        codes = [workspace.code for workspace in catalogue if workspace.is_default]
    wanted = set(codes)
    unknown = wanted - {workspace.code for workspace in catalogue}
    if unknown:
        raise ValidationError(_("Choose workspaces of the catalogue."), code="unknown_workspace")
    now = timezone.now()
    existing = (
        {}
        if new
        else {row.workspace_id: row for row in StructureWorkspace.objects.filter(structure=structure)}
    )
    to_create, to_update, opened, closed = [], [], [], []
    for workspace in catalogue:
        is_active = workspace.code in wanted
        row = existing.get(workspace.code)
        if row is None:
            if is_active:
                to_create.append(
                    StructureWorkspace(
                        structure=structure, workspace=workspace, opened_at=now, updated_at=now, updated_by=by
                    )
                )
                opened.append(workspace)
        elif row.is_active != is_active:
            row.is_active = is_active
            row.updated_at = now
            row.updated_by = by
            if is_active:
                row.opened_at = now
            to_update.append(row)
            (opened if is_active else closed).append(workspace)
    StructureWorkspace.objects.bulk_create(to_create)
    if to_update:
        StructureWorkspace.objects.bulk_update(
            to_update, ["is_active", "opened_at", "updated_at", "updated_by"]
        )
    return opened, closed


def _workspace_withdraw(*, structure, workspace, by, member_ids, kind=Event.Kind.WORKSPACE_WITHDRAWN):
    """``workspace`` no longer comes to ``member_ids`` through ``structure`` (a manager closed it there, or they
    left the structure): it closes for those who have it open on none of their other active structures, unless
    every user may open it freely (a default, self-service workspace). Each of them finds a line of ``kind`` in
    their feed. Returns how many members had it closed."""
    if workspace.is_default:
        return 0
    kept = set(
        StructureWorkspace.objects.filter(
            workspace=workspace,
            is_active=True,
            structure__memberships__user_id__in=member_ids,
            structure__memberships__is_active=True,
        )
        .exclude(structure=structure)
        .values_list("structure__memberships__user_id", flat=True)
    )
    closed_for = workspace_activations_close(user_ids=set(member_ids) - kept, workspace=workspace)
    Event.objects.bulk_create(
        Event(user_id=user_id, kind=kind, actor=by, structure=structure, workspace=workspace)
        for user_id in closed_for
    )
    return len(closed_for)


@transaction.atomic
def structure_workspaces_set(*, by, structure, codes) -> StructureWorkspacesChange:
    """« Liste des espaces de la structure » → « Ajouter des espaces » → Valider: a primary or secondary manager
    of ``structure`` opens exactly the workspaces in ``codes`` on it and closes the others, at once (no logout).

    Idempotent: submitting the same choice twice changes nothing the second time. Every active member finds each
    change in their feed. Closing a workspace closes it for the members who had it open through this structure
    only (see ``_workspace_withdraw``)."""
    _require_manager(user=by, structure=structure)
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    opened, closed = _structure_workspaces_apply(structure=structure, codes=codes, by=by)
    if not (opened or closed):
        return StructureWorkspacesChange(opened=[], closed=[])
    member_ids = list(
        Membership.objects.filter(structure=structure, is_active=True).values_list("user_id", flat=True)
    )
    Event.objects.bulk_create(
        [
            Event(user_id=user_id, kind=kind, actor=by, structure=structure, workspace=workspace)
            for kind, workspaces in (
                (Event.Kind.STRUCTURE_WORKSPACE_OPENED, opened),
                (Event.Kind.STRUCTURE_WORKSPACE_CLOSED, closed),
            )
            for workspace in workspaces
            for user_id in member_ids
        ]
    )
    withdrawn = sum(
        _workspace_withdraw(structure=structure, workspace=workspace, by=by, member_ids=member_ids)
        for workspace in closed
    )
    return StructureWorkspacesChange(opened=opened, closed=closed, withdrawn=withdrawn)


@transaction.atomic
def structure_create_blocks_save(*, by, structure, workspace_codes, service_code="", service_name=""):
    """ "Saisie nouvelle structure" → the further blocks → Valider: the workspaces of the structure and, when
    given, a first service, all or nothing. Returns (StructureWorkspacesChange, Service or None)."""
    change = structure_workspaces_set(by=by, structure=structure, codes=workspace_codes)
    service = None
    if service_code.strip():
        service = service_create(structure=structure, by=by, code=service_code, name=service_name)
    return change, service


# --- demo data ---------------------------------------------------------------------------------------------------

# Public bodies named in the news of seed 003. Their identifiers are fictitious (14 digits, Luhn-valid) and
# never collide with a real SIRET: they all start with 000, a SIREN prefix INSEE does not allocate.
DEMO_PUBLIC_STRUCTURES = [
    ("Métropole Européenne de Lille", "1 RUE DU BALLON", "59000", "LILLE"),
    ("Communauté de communes de Parthenay-Gâtine", "2 RUE DE LA CITADELLE", "79200", "PARTHENAY"),
    ("Conseil départemental de l'Aube", "2 RUE PIERRE LABONDE", "10000", "TROYES"),
    ("Vosges Habitat", "8 QUAI DE JUILLET", "88000", "ÉPINAL"),
    ("Lycée Bernart de Ventadour", "BOULEVARD DE LA JALIGNE", "19200", "USSEL"),
    ("Bordeaux Métropole", "ESPLANADE CHARLES DE GAULLE", "33000", "BORDEAUX"),
    ("Ville de Bordeaux", "PLACE PEY BERLAND", "33000", "BORDEAUX"),
]


@transaction.atomic
def structures_load_demo_public():
    """Create the demo public structures (safe to run again). Returns how many were created."""
    created = 0
    for number, (name, address, postal_code, city) in enumerate(DEMO_PUBLIC_STRUCTURES, start=1):
        prefix = f"000{number:06d}0001"
        identifier = prefix + luhn.calc_check_digit(prefix)
        structure = Structure.objects.filter(identifier_type="SIRET", identifier=identifier).first()
        if structure is None:
            structure = Structure(identifier_type="SIRET", identifier=identifier)
            created += 1
        structure.corporate_name = name.upper()
        structure.label = name
        structure.address = address
        structure.postal_code = postal_code
        structure.city = city
        structure.is_private = False
        structure.status = Structure.Status.ACTIVE
        structure.moderation = Structure.Moderation.VERIFIED
        structure.save()
    return created


# --- a new structure, created by a supplier from "Mon Compte" ------------------------------------------------------


STRUCTURE_EDITABLE_FIELDS = (
    "label",
    "email",
    "rcs_number",
    "status",
    "is_edi_emitter",
    "receives_edi_lifecycle",
    "connection_request_active",
    "is_agricultural_management_centre",
    "address",
    "address_complement_1",
    "address_complement_2",
    "postal_code",
    "city",
    "phone",
    "fax",
)
# What a structure is created with: the editable details plus what only its creation sets.
STRUCTURE_FIELDS = (
    "corporate_name",
    "country",
    "feature_payment_requests",
    "feature_dume",
    *STRUCTURE_EDITABLE_FIELDS,
)


@transaction.atomic
def structure_create(
    *,
    user,
    identifier_type,
    identifier,
    billing_mandate=False,
    is_non_diffusible=False,
    workspace_codes=None,
    **data,
):
    """Create a private structure; its creator is attached to it as primary manager and the workspaces in
    ``workspace_codes`` (by default, the default ones of the catalogue) are open on it. When the identifier is
    already in the portal (including when someone else created it a moment ago), nothing is created: the caller
    offers an attachment request instead."""
    if Structure.objects.filter(identifier_type=identifier_type, identifier=identifier).exists():
        raise ValidationError(_("This structure already exists in the portal."), code="exists")
    values = {name: data[name] for name in STRUCTURE_FIELDS if name in data}
    try:
        with transaction.atomic():
            structure = Structure(
                identifier_type=identifier_type,
                identifier=identifier,
                is_private=True,
                is_non_diffusible=is_non_diffusible,
                created_by=user,
                billing_mandate_at=timezone.now() if billing_mandate else None,
                **values,
            )
            structure.save()
    except IntegrityError as error:
        raise ValidationError(_("This structure already exists in the portal."), code="exists") from error
    Membership.objects.create(user=user, structure=structure, role=Role.PRIMARY_MANAGER, updated_by=user)
    _structure_workspaces_apply(structure=structure, codes=workspace_codes, by=user, new=True)
    event_record(user=user, kind=Event.Kind.STRUCTURE_CREATED, actor=user, structure=structure)
    return structure


@transaction.atomic
def structure_billing_mandate_subscribe(*, structure, by):
    """ "Souscrire un mandat de facturation" (seed 003): a manager allows the portal to issue invoices on behalf of
    the structure (for the direct invoice-keying form). Subscribing twice keeps the first date."""
    _require_manager(user=by, structure=structure)
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    if structure.billing_mandate_at is None:
        structure.billing_mandate_at = timezone.now()
        structure.save(update_fields=["billing_mandate_at", "updated_at"])
    return structure


@transaction.atomic
def structure_update(*, structure, by, **data):
    """A manager of the structure edits its details (never its identifier nor its corporate name)."""
    _require_manager(user=by, structure=structure)
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    changed = [
        name for name in STRUCTURE_EDITABLE_FIELDS if name in data and getattr(structure, name) != data[name]
    ]
    for name in changed:
        setattr(structure, name, data[name])
    if changed:
        structure.save(update_fields=[*changed, "updated_at"])
    return structure


# --- signup: create the structure, or ask to join it when someone else declared it first ------------------------


@dataclass(frozen=True)
class StructureData:
    """What a person types (or SIRENE pre-fills) to declare a new structure."""

    identifier_type: str
    identifier: str
    corporate_name: str
    label: str = ""
    address: str = ""
    address_complement_1: str = ""
    address_complement_2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FR"
    is_non_diffusible: bool = False
    feature_payment_requests: bool = True
    feature_dume: bool = False


@dataclass(frozen=True)
class StructureClaim:
    """The outcome of declaring a structure: created (primary manager) or a pending attachment request."""

    structure: Structure
    created: bool
    attachment_request: AttachmentRequest | None = None


@transaction.atomic
def structure_create_or_request_attachment(*, data: StructureData, user) -> StructureClaim:
    """Create the structure with ``user`` as primary manager or, when someone created the same identifier
    first (even a moment ago, in a concurrent transaction), ask to be attached to theirs instead."""
    try:
        with transaction.atomic():
            structure = structure_create(user=user, **asdict(data))
    except ValidationError as error:
        if error.code != "exists":
            raise
        structure = Structure.objects.get(identifier_type=data.identifier_type, identifier=data.identifier)
        logger.info(
            "Structure %s %s was created by someone else meanwhile: attachment request for user %s instead",
            data.identifier_type,
            data.identifier,
            user.pk,
        )
        request = attachment_request_create(user=user, structure=structure, scope=Scope.STRUCTURE)
        return StructureClaim(structure=structure, created=False, attachment_request=request)
    return StructureClaim(structure=structure, created=True)


# --- Moderation from the admin ----------------------------------------------------------------------------------------------
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
    # The members learn it in their feed; the reason stays in the moderation history.
    events_record_for_members(structure=locked, kind=Event.Kind.STRUCTURE_SUSPENDED, actor=by)
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
    events_record_for_members(structure=locked, kind=Event.Kind.SUSPENSION_LIFTED, actor=by)
    structure.moderation = locked.moderation
    return locked


# The fields a refresh from SIRENE keeps in line with the directory. The label ("libellé") and the contact details
# are the managers' own; the identifier never changes.
SIRENE_REFRESHED_FIELDS = (
    "corporate_name",
    "address",
    "address_complement_1",
    "address_complement_2",
    "postal_code",
    "city",
    "country",
    "is_non_diffusible",
)
# What INSEE masks for a non-diffusible establishment (SireneResult.masked): an empty value there means
# "not published", not "no address", so a refresh keeps what the structure holds.
SIRENE_MASKED_FIELDS = ("address", "address_complement_1", "address_complement_2", "postal_code", "city")


@dataclass(frozen=True)
class StructureRefresh:
    """The outcome of a refresh from SIRENE: ``changes`` maps each changed field to (before, after)."""

    structure: Structure
    changes: dict
    kept_masked: tuple = ()


def _sirene_values(result):
    """The structure's values according to ``result``, without those SIRENE does not give."""
    values = {name: getattr(result, name) for name in SIRENE_REFRESHED_FIELDS}
    if result.is_non_diffusible:
        for name in SIRENE_MASKED_FIELDS:
            values.pop(name)
    for name in ("corporate_name", "country"):  # never blanked: a natural person's name is masked, too
        if not values.get(name, "x"):
            values.pop(name)
    return values


def structure_refresh_from_sirene(*, structure, by):
    """Bring the corporate name and the address of a SIRET structure in line with the SIRENE directory, as a
    moderator checking a structure. Unknown, closed or unavailable in SIRENE: nothing changes (ValidationError).

    For a non-diffusible establishment, the address fields INSEE masks are left as they are (see
    SIRENE_MASKED_FIELDS). Every refresh that reached the directory is recorded in the moderation history, with
    the value before and after of each changed field. The lookup is made before the row is locked: a slow
    directory never holds the lock."""
    _require_perm(by, "structures.refresh_structure")
    if structure.identifier_type != "SIRET":
        raise ValidationError(
            _("Only a structure identified by a SIRET number can be refreshed from SIRENE."), code="not_siret"
        )
    result = lookup_siret(structure.identifier)
    if result.status == SireneStatus.UNAVAILABLE:
        raise ValidationError(
            _("The SIRENE directory cannot be reached at the moment: nothing was changed. Try again later."),
            code="sirene_unavailable",
        )
    if result.status == SireneStatus.UNKNOWN:
        raise ValidationError(
            _("This SIRET number is not in the SIRENE directory: nothing was changed."), code="sirene_unknown"
        )
    if result.status == SireneStatus.CLOSED:
        raise ValidationError(
            _("The SIRENE directory says this establishment is closed: nothing was changed."),
            code="sirene_closed",
        )
    values = _sirene_values(result)
    with transaction.atomic():
        locked = _structure_lock(structure)
        changes = {
            name: (getattr(locked, name), value)
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        for name, (_before, after) in changes.items():
            setattr(locked, name, after)
            setattr(structure, name, after)
        if changes:
            locked.save(update_fields=[*changes, "updated_at"])
        kept_masked = tuple(name for name in SIRENE_MASKED_FIELDS if name not in values)
        ModerationAction.objects.record(
            actor=by,
            action=ModerationAction.Action.STRUCTURE_REFRESH,
            structure=locked,
            backend=result.backend,
            changes={name: {"before": before, "after": after} for name, (before, after) in changes.items()},
            kept_masked=list(kept_masked),
        )
    return StructureRefresh(structure=locked, changes=changes, kept_masked=kept_masked)


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
    transaction.on_commit(lambda: emails.primary_manager_appointed(membership=membership))
    return membership


@transaction.atomic
def attachment_request_approve(*, request, by):
    """Approve a pending request from the admin (same rules, events and email as a manager's decision)."""
    decided = attachment_request_decide(request_id=request.pk, by=by, approve=True)
    _copy_decision(decided, request)
    return Membership.objects.get(user=decided.user, structure=decided.structure, is_active=True)


@transaction.atomic
def attachment_request_refuse(*, request, by, reason=""):
    """Refuse a pending request from the admin, with an optional reason emailed to the requester."""
    decided = attachment_request_decide(request_id=request.pk, by=by, approve=False, reason=reason)
    _copy_decision(decided, request)
    return decided


def _copy_decision(decided, request):
    for field in ("status", "decided_at", "decided_by", "reason"):
        setattr(request, field, getattr(decided, field))
