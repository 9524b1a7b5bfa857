import unicodedata
from functools import cache

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdentifierType(models.TextChoices):
    """Structure identifier types, with the Chorus Pro API codes (DESIGN §1.2, labels of the portal)."""

    SIRET = "SIRET", _("Structure with a SIRET number")
    UE_HORS_FRANCE = "UE_HORS_FRANCE", _("European structure outside France")
    HORS_UE = "HORS_UE", _("Structure outside the EU")
    RIDET = "RIDET", _("Structure with a RIDET")
    TAHITI = "TAHITI", _("Structure with a TAHITI number")
    PARTICULIER = "PARTICULIER", _("Private individual")
    AUTRE = "AUTRE", _("In the course of registration")


# The structures that the public search shows (structures.selectors.structures_public_search filters on exactly
# this, so that the database can use the partial indexes built on it: migrations 0007 and 0008).
PUBLIC_SEARCH = Q(is_private=False, status="ACTIVE") & ~Q(moderation="SUSPENDED")


class Structure(models.Model):
    """A legal entity acting in the portal (a supplier's company, or a public buyer), unique by identifier."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        INACTIVE = "INACTIVE", _("Inactive")

    class Moderation(models.TextChoices):
        TO_REVIEW = "TO_REVIEW", _("To review")
        VERIFIED = "VERIFIED", _("Verified")
        SUSPENDED = "SUSPENDED", _("Suspended")

    identifier_type = models.CharField(_("identifier type"), max_length=20, choices=IdentifierType.choices)
    identifier = models.CharField(_("identifier"), max_length=80)
    corporate_name = models.CharField(_("corporate name"), max_length=255)
    label = models.CharField(_("structure label"), max_length=255, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    rcs_number = models.CharField(_("RCS number"), max_length=50, blank=True)

    address = models.CharField(_("address"), max_length=255, blank=True)
    address_complement_1 = models.CharField(_("address supplement 1"), max_length=255, blank=True)
    address_complement_2 = models.CharField(_("address supplement 2"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FR")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    is_non_diffusible = models.BooleanField(
        _("INSEE not diffusible"),
        default=False,
        help_text=_("The SIRENE directory does not publish this establishment: its address is masked."),
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.TO_REVIEW
    )
    is_private = models.BooleanField(
        _("private structure"),
        default=True,
        help_text=_("Suppliers' structures are private; public structures are the public-sector clients."),
    )
    is_edi_emitter = models.BooleanField(_("issues EDI flows"), default=False)
    receives_edi_lifecycle = models.BooleanField(_("receives life cycles in EDI"), default=False)
    connection_request_active = models.BooleanField(_("connection request active"), default=False)
    is_agricultural_management_centre = models.BooleanField(
        _("the structure is an agricultural management centre"), default=False
    )
    feature_payment_requests = models.BooleanField(
        _("submits payment requests (invoices, legal fee statements and TIC refund requests)"), default=True
    )
    feature_dume = models.BooleanField(_("creates and/or consults DUME"), default=False)
    billing_mandate_at = models.DateTimeField(
        _("billing mandate subscribed on"),
        null=True,
        blank=True,
        help_text=_(
            "The structure allows the portal to issue invoices on its behalf (direct keying of invoices)."
        ),
    )

    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Accent- and case-free copy of the searchable fields, kept by save(): the same search on SQLite and PostgreSQL.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_type", "identifier"], name="structure_identifier_unique"
            ),
            models.CheckConstraint(
                condition=~Q(identifier_type="SIRET") | Q(identifier__regex=r"^[0-9]{14}$"),
                name="structure_siret_14_digits",
            ),
        ]
        indexes = [
            models.Index(fields=["corporate_name"]),
            models.Index(fields=["postal_code"]),
            models.Index(fields=["status", "is_private"]),
            models.Index(fields=["moderation"]),
            models.Index(fields=["created_at"]),
            # The public search for a bare postal code (structures.selectors.structures_public_search): the
            # structures of that postal code that the search shows, already in the order of its pages, so that
            # the first page reads ten entries and the capped count at most 1,001, however many there are.
            models.Index(
                "postal_code",
                Lower("corporate_name"),
                "id",
                name="structure_public_postal_code",
                condition=PUBLIC_SEARCH,
            ),
        ]

    def __str__(self):
        return f"{self.identifier} – {self.corporate_name}"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self):
        return " ".join(
            search_normalise(value)
            for value in (self.corporate_name, self.label, self.identifier, self.postal_code, self.city)
            if value
        )

    @property
    def accepts_attachment_requests(self):
        """A suspended structure accepts no new attachment request (checked by every request service)."""
        return self.moderation != self.Moderation.SUSPENDED

    @property
    def display_name(self):
        return self.label or self.corporate_name


def search_normalise(value: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces: "Métropole  d'Aix" → "metropole d aix"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


class Service(models.Model):
    """A service (department) of a structure; an attachment may be limited to some of them."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="services"
    )
    code = models.CharField(_("code"), max_length=100)
    name = models.CharField(_("name"), max_length=255)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["structure", "code"], name="service_code_unique")]

    def __str__(self):
        return f"{self.code} – {self.name}"


class StructureWorkspace(models.Model):
    """A workspace ("espace") opened on a structure by one of its managers (« Liste des espaces de la structure »).

    The members of the structure may then open it for themselves in "Mon Compte". One row per structure and
    workspace, switched on and off (never deleted), with who changed it last and when."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="workspaces"
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("workspace"),
        on_delete=models.PROTECT,
        related_name="structure_openings",
    )
    is_active = models.BooleanField(_("open"), default=True)
    opened_at = models.DateTimeField(_("opened on"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated on"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("workspace of the structure")
        verbose_name_plural = _("workspaces of the structure")
        constraints = [
            models.UniqueConstraint(fields=["structure", "workspace"], name="structure_workspace_unique"),
        ]

    def __str__(self):
        return f"{self.structure_id} – {self.workspace_id} ({'on' if self.is_active else 'off'})"


class Role(models.TextChoices):
    PRIMARY_MANAGER = "PRIMARY_MANAGER", _("Primary manager")
    SECONDARY_MANAGER = "SECONDARY_MANAGER", _("Secondary manager")
    USER = "USER", _("User")


class Scope(models.TextChoices):
    STRUCTURE = "STRUCTURE", _("The structure (including all the services of my structure)")
    SERVICES = "SERVICES", _("Only some services")


class Membership(models.Model):
    """A user's attachment ("rattachement") to a structure, with a role. Detaching deactivates the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="memberships"
    )
    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.USER)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.STRUCTURE)
    services = models.ManyToManyField(Service, verbose_name=_("services"), blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("attached on"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"], condition=Q(is_active=True), name="membership_active_unique"
            ),
            models.UniqueConstraint(
                fields=["structure"],
                condition=Q(is_active=True, role="PRIMARY_MANAGER"),
                name="membership_one_active_primary_manager",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.structure} ({self.get_role_display()})"

    @property
    def is_manager(self):
        return self.role in (Role.PRIMARY_MANAGER, Role.SECONDARY_MANAGER)

    @property
    def role_label(self):
        """``get_role_display()`` for the pages' tables, read from the enumeration (Django's rebuilds the flat list
        of choices on each call, as ``Role.values`` does)."""
        try:
            return Role(self.role).label
        except ValueError:
            return self.role


class AttachmentRequest(models.Model):
    """A request to be attached to an existing structure, decided by one of its managers. Never deleted."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        APPROVED = "APPROVED", _("Approved")
        REFUSED = "REFUSED", _("Refused")
        CANCELLED = "CANCELLED", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="attachment_requests",
    )
    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.PROTECT, related_name="attachment_requests"
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.STRUCTURE)
    services = models.ManyToManyField(Service, verbose_name=_("services"), blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested on"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    reminded_at = models.DateTimeField(_("last reminder on"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment request")
        verbose_name_plural = _("attachment requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"],
                condition=Q(status="PENDING"),
                name="attachment_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="PENDING", decided_at__isnull=True)
                | (~Q(status="PENDING") & Q(decided_at__isnull=False)),
                name="attachment_request_decided_when_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.user} → {self.structure} ({self.get_status_display()})"

    def delete(self, *args, **kwargs):
        raise TypeError("Attachment requests are never deleted: cancel or refuse them instead.")

    @property
    def reminder_available_at(self):
        """When the requester may remind the primary manager again (one reminder per interval)."""
        from datetime import timedelta

        hours = getattr(settings, "PORTAL_ATTACHMENT_REMINDER_HOURS", 24)
        return (self.reminded_at or self.created_at) + timedelta(hours=hours)

    @property
    def can_remind(self):
        return self.status == self.Status.PENDING and timezone.now() >= self.reminder_available_at


class Event(models.Model):
    """One line of a user's "Fil d'événements": something that happened to their account or their structures."""

    class Kind(models.TextChoices):
        ACCOUNT_CREATED = "ACCOUNT_CREATED", _("Account created")
        STRUCTURE_CREATED = "STRUCTURE_CREATED", _("Structure created")
        REQUEST_SENT = "REQUEST_SENT", _("Attachment request sent")
        REQUEST_RECEIVED = "REQUEST_RECEIVED", _("Attachment request received")
        REQUEST_CANCELLED = "REQUEST_CANCELLED", _("Attachment request cancelled")
        REQUEST_REMINDED = "REQUEST_REMINDED", _("Attachment request reminder")
        REQUEST_APPROVED = "REQUEST_APPROVED", _("Attachment request approved")
        REQUEST_REFUSED = "REQUEST_REFUSED", _("Attachment request refused")
        APPROVED_BY_YOU = "APPROVED_BY_YOU", _("Attachment request approved by you")
        REFUSED_BY_YOU = "REFUSED_BY_YOU", _("Attachment request refused by you")
        ROLE_CHANGED = "ROLE_CHANGED", _("Role changed")
        DETACHED = "DETACHED", _("Detached from a structure")
        WORKSPACE_OPENED = "WORKSPACE_OPENED", _("Workspace opened")
        WORKSPACE_CLOSED = "WORKSPACE_CLOSED", _("Workspace closed")
        STRUCTURE_WORKSPACE_OPENED = "STRUCTURE_WS_OPENED", _("Workspace opened on a structure")
        STRUCTURE_WORKSPACE_CLOSED = "STRUCTURE_WS_CLOSED", _("Workspace closed on a structure")
        WORKSPACE_WITHDRAWN = "WORKSPACE_WITHDRAWN", _("Workspace closed by a manager")
        WORKSPACE_LEFT = "WORKSPACE_LEFT", _("Workspace closed on leaving a structure")
        STRUCTURE_SUSPENDED = "STRUCTURE_SUSPENDED", _("Structure suspended")
        SUSPENSION_LIFTED = "SUSPENSION_LIFTED", _("Structure suspension lifted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the index event_structure_history starts with it
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("workspace"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("about"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The other person concerned, e.g. the requester in a manager's event."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="event_user_feed"),
            # The admin: a structure's history (newest first), the whole list and its filter by kind.
            models.Index(fields=["structure", "-created_at", "-id"], name="event_structure_history"),
            models.Index(fields=["-created_at", "-id"], name="event_newest"),
            models.Index(fields=["kind", "-created_at", "-id"], name="event_kind_newest"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"

    @property
    def text(self):
        """The event as a sentence in the page's language. Needs structure, workspace, actor and subject loaded;
        reads only the values its sentence names."""
        return _event_sentences()[self.kind] % _EventValues(self)


@cache
def _event_sentences():
    """The sentence of each kind of event (translated when shown)."""
    kind = Event.Kind
    return {
        kind.ACCOUNT_CREATED: _("Your user account was created."),
        kind.STRUCTURE_CREATED: _(
            "You created the structure %(structure)s: you are attached to it as primary manager."
        ),
        kind.REQUEST_SENT: _("You asked to be attached to the structure %(structure)s."),
        kind.REQUEST_RECEIVED: _("%(subject)s asked to be attached to the structure %(structure)s."),
        kind.REQUEST_CANCELLED: _("You cancelled your attachment request to the structure %(structure)s."),
        kind.REQUEST_REMINDED: _(
            "%(subject)s reminds you of their attachment request to the structure %(structure)s."
        ),
        kind.REQUEST_APPROVED: _(
            "Your attachment request to the structure %(structure)s was approved by %(actor)s."
        ),
        kind.REQUEST_REFUSED: _(
            "Your attachment request to the structure %(structure)s was refused by %(actor)s."
        ),
        kind.APPROVED_BY_YOU: _(
            "You approved the attachment request of %(subject)s to the structure %(structure)s."
        ),
        kind.REFUSED_BY_YOU: _(
            "You refused the attachment request of %(subject)s to the structure %(structure)s."
        ),
        kind.ROLE_CHANGED: _("Your role on the structure %(structure)s is now: %(role)s (by %(actor)s)."),
        kind.DETACHED: _("You were detached from the structure %(structure)s by %(actor)s."),
        kind.WORKSPACE_OPENED: _("You opened the workspace %(workspace)s."),
        kind.WORKSPACE_CLOSED: _("You closed the workspace %(workspace)s."),
        kind.STRUCTURE_WORKSPACE_OPENED: _(
            "The workspace %(workspace)s was opened on the structure %(structure)s by %(actor)s: its users "
            "can open it in “My account”."
        ),
        kind.STRUCTURE_WORKSPACE_CLOSED: _(
            "The workspace %(workspace)s was closed on the structure %(structure)s by %(actor)s."
        ),
        kind.WORKSPACE_WITHDRAWN: _(
            "The workspace %(workspace)s was closed for you: %(actor)s closed it on the structure "
            "%(structure)s, and none of your other structures has it open."
        ),
        kind.WORKSPACE_LEFT: _(
            "The workspace %(workspace)s was closed for you: you are no longer attached to the structure "
            "%(structure)s, and none of your other structures has it open."
        ),
        kind.STRUCTURE_SUSPENDED: _(
            "The structure %(structure)s was suspended by the portal's moderation: it accepts no new "
            "attachment request until it is reactivated."
        ),
        kind.SUSPENSION_LIFTED: _(
            "The structure %(structure)s was reactivated by the portal's moderation: it accepts attachment "
            "requests again."
        ),
    }


# What an event's sentence may name, each read only when its sentence names it.
_EVENT_VALUES = {
    "structure": lambda event: event.structure.display_name if event.structure else "",
    "workspace": lambda event: event.workspace.label if event.workspace else "",
    "actor": lambda event: event.actor.get_full_name() if event.actor else _("a manager"),
    "subject": lambda event: event.subject.get_full_name() if event.subject else "",
    "role": lambda event: event.get_role_display(),
}


class _EventValues:
    """The values of an event's sentence, as a mapping for ``%``."""

    def __init__(self, event):
        self.event = event

    def __getitem__(self, name):
        return _EVENT_VALUES[name](self.event)


class LegalUnit(models.Model):
    """A legal unit (unité légale) of the local SIRENE directory, filled from the StockUniteLegale file."""

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    corporate_name = models.CharField(_("corporate name"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_non_diffusible = models.BooleanField(_("INSEE not diffusible"), default=False)

    class Meta:
        verbose_name = _("legal unit (SIRENE)")
        verbose_name_plural = _("legal units (SIRENE)")
        constraints = [
            models.CheckConstraint(condition=Q(siren__regex=r"^[0-9]{9}$"), name="legal_unit_siren_9_digits")
        ]

    def __str__(self):
        return f"{self.siren} – {self.corporate_name}"


class Establishment(models.Model):
    """An establishment of the local SIRENE directory (the `local` lookup backend), filled from StockEtablissement.

    Fields masked by INSEE for a non-diffusible establishment are stored empty, never as "[ND]".
    """

    siret = models.CharField(_("SIRET"), max_length=14, primary_key=True)
    # No foreign key constraint: the two stock files are imported independently, in any order.
    legal_unit = models.ForeignKey(
        LegalUnit,
        verbose_name=_("legal unit"),
        db_column="siren",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    label = models.CharField(_("structure label"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    address_complement_1 = models.CharField(_("address supplement 1"), max_length=255, blank=True)
    address_complement_2 = models.CharField(_("address supplement 2"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="FR")
    is_head_office = models.BooleanField(_("head office"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_non_diffusible = models.BooleanField(_("INSEE not diffusible"), default=False)

    class Meta:
        verbose_name = _("establishment (SIRENE)")
        verbose_name_plural = _("establishments (SIRENE)")
        constraints = [
            models.CheckConstraint(
                condition=Q(siret__regex=r"^[0-9]{14}$"), name="establishment_siret_14_digits"
            )
        ]

    def __str__(self):
        return f"{self.siret} – {self.label or self.city}"


class SireneImport(models.Model):
    """One run of the `import_sirene` command, kept as its history (shown in the admin)."""

    class Kind(models.TextChoices):
        ESTABLISHMENTS = "ESTABLISHMENTS", _("Establishments (StockEtablissement)")
        LEGAL_UNITS = "LEGAL_UNITS", _("Legal units (StockUniteLegale)")

    class Status(models.TextChoices):
        RUNNING = "RUNNING", _("Running")
        SUCCEEDED = "SUCCEEDED", _("Succeeded")
        FAILED = "FAILED", _("Failed")

    file_name = models.CharField(_("file"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started on"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    rows_read = models.PositiveBigIntegerField(_("rows read"), default=0)
    rows_inserted = models.PositiveBigIntegerField(_("rows inserted"), default=0)
    rows_updated = models.PositiveBigIntegerField(_("rows updated"), default=0)
    rows_unchanged = models.PositiveBigIntegerField(_("rows unchanged"), default=0)
    rows_rejected = models.PositiveBigIntegerField(_("rows rejected"), default=0)
    rejections = models.JSONField(_("rejections by reason"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("SIRENE import")
        verbose_name_plural = _("SIRENE imports")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ModerationActionQuerySet(models.QuerySet):
    def record(self, *, actor, action, structure=None, user=None, attachment_request=None, **details):
        return self.create(
            actor=actor,
            action=action,
            structure=structure,
            user=user,
            attachment_request=attachment_request,
            details=details,
        )


class ModerationAction(models.Model):
    """The audit log of moderation: who did what, when, to which structure, user or request. Never changed."""

    class Action(models.TextChoices):
        STRUCTURE_VERIFY = "STRUCTURE_VERIFY", _("Structure verified")
        STRUCTURE_SUSPEND = "STRUCTURE_SUSPEND", _("Structure suspended")
        STRUCTURE_REACTIVATE = "STRUCTURE_REACTIVATE", _("Structure reactivated")
        STRUCTURE_EXPORT = "STRUCTURE_EXPORT", _("Structures exported")
        PRIMARY_MANAGER_APPOINT = "PRIMARY_MANAGER_APPOINT", _("Primary manager appointed")
        REQUEST_APPROVE = "REQUEST_APPROVE", _("Attachment request approved")
        REQUEST_REFUSE = "REQUEST_REFUSE", _("Attachment request refused")
        USER_ACTIVATION_RESEND = "USER_ACTIVATION_RESEND", _("Activation email sent again")
        USER_UNLOCK = "USER_UNLOCK", _("Login unlocked")
        USER_DEACTIVATE = "USER_DEACTIVATE", _("Account deactivated")
        STRUCTURE_REFRESH = "STRUCTURE_REFRESH", _("Structure refreshed from SIRENE")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("done on"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    attachment_request = models.ForeignKey(
        AttachmentRequest,
        verbose_name=_("attachment request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation history")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "created_at"])]
        # The staff's rights on the domain, given to the "Moderators" and "Administrators" groups.
        permissions = [
            ("moderate_structure", _("Can verify, suspend and reactivate structures")),
            ("refresh_structure", _("Can refresh a structure from the SIRENE directory")),
            ("export_structure", _("Can export structures as CSV")),
            ("decide_attachmentrequest", _("Can approve or refuse any attachment request")),
            ("appoint_primary_manager", _("Can appoint the primary manager of a structure")),
            ("resend_activation", _("Can send a user's activation email again")),
            ("unlock_user", _("Can unlock a user's login")),
            ("deactivate_user", _("Can deactivate a user account")),
            ("manage_staff", _("Can grant staff status, groups and permissions")),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"
