from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
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
        ]

    def __str__(self):
        return f"{self.identifier} – {self.corporate_name}"

    @property
    def accepts_attachment_requests(self):
        """A suspended structure accepts no new attachment request (checked by every request service)."""
        return self.moderation != self.Moderation.SUSPENDED


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
