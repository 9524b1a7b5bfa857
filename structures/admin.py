import csv
import datetime
import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, Upper
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import services as account_services
from accounts.models import User
from chorus_portal.admin import FastChangeListMixin, YesNoFilter
from chorus_portal.pagination import CappedCountPaginator
from structures import services
from structures.models import (
    AttachmentRequest,
    Establishment,
    Event,
    IdentifierType,
    LegalUnit,
    Membership,
    ModerationAction,
    Role,
    Service,
    SireneImport,
    Structure,
    StructureWorkspace,
)

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]

# What the structures' search looks in: one text, indexed by a trigram index on PostgreSQL (structures migration
# 0005_moderation builds the same expression; change both together).
STRUCTURE_SEARCH_TEXT = Upper(Concat("identifier", Value(" "), "corporate_name", Value(" "), "city"))


@functools.lru_cache(maxsize=64)
def _identifier_type_abbr(code, language):
    """The identifier type column's cell, written once per type and language (it was a tenth of a row's time)."""
    label = dict(IdentifierType.choices).get(code, code)
    return format_html('<abbr title="{}">{}</abbr>', label, code)


def _primary_manager_memberships():
    return Membership.objects.filter(structure=OuterRef("pk"), is_active=True, role=Role.PRIMARY_MANAGER)


def _run_service(modeladmin, request, objects, service, success_message, **kwargs):
    """Call ``service`` on each object; tell how many succeeded and why the others were refused."""
    target = kwargs.pop("target", "structure")
    done = 0
    for obj in objects:
        try:
            service(by=request.user, **{target: obj}, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success_message(done), messages.SUCCESS)
    return done


class ReadOnlyPermissionsMixin:
    """Pages to read, never to add, change or delete: every change goes through an action and its service."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "Kept in the moderation history. The members are told of the suspension, not of its reason."
        ),
    )


def _confirmation_page(modeladmin, request, queryset, *, title, action, form, button, help_text=""):
    """The intermediate page of an action that needs a reason (it posts back to the change list)."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "objects": queryset,
        "action": action,
        "form": form,
        "button": button,
        "help_text": help_text,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    return TemplateResponse(request, "admin/structures/action_confirmation.html", context)


# --- Structures ---------------------------------------------------------------------------------------------------


class PrimaryManagerFilter(YesNoFilter):
    title = _("primary manager")
    parameter_name = "primary_manager"
    yes_label = _("With a primary manager")
    no_label = _("Without a primary manager")

    def condition(self):
        return Exists(_primary_manager_memberships())


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceInline(ReadOnlyInline):
    model = Service
    fields = ["code", "name", "is_active"]
    readonly_fields = fields


class StructureWorkspaceInline(ReadOnlyInline):
    """« Liste des espaces de la structure »: changed by its managers (``structure_workspaces_set``) only."""

    model = StructureWorkspace
    verbose_name_plural = _("workspaces of the structure")
    fields = ["workspace", "is_active", "opened_at", "updated_at", "updated_by"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # Part of the structure's page: whoever may view the structure sees its workspaces.
        return request.user.has_perm("structures.view_structure")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("workspace", "updated_by")
            .order_by("-is_active", "workspace__position", "workspace__code")
        )


class MembershipInline(ReadOnlyInline):
    model = Membership
    verbose_name_plural = _("members")
    fields = ["user", "role", "scope", "is_active", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("user").order_by("-is_active", "role", "user__email")
        )


class PendingRequestInline(ReadOnlyInline):
    model = AttachmentRequest
    verbose_name_plural = _("pending attachment requests")
    fields = ["request_link", "user", "scope", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status=AttachmentRequest.Status.PENDING)
            .select_related("user")
        )

    @admin.display(description=_("request"))
    def request_link(self, obj):
        url = reverse("admin:structures_attachmentrequest_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Open"))


class ModerationHistoryInline(ReadOnlyInline):
    model = ModerationAction
    fk_name = "structure"
    verbose_name_plural = _("moderation history")
    fields = ["created_at", "actor", "action", "user", "details"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "user")


class NewestFirstFormSet(BaseInlineFormSet):
    """An inline formset showing only the newest ``max_shown`` rows of its inline (a read-only history)."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = self.queryset.order_by("-created_at", "-id")[: self.max_shown]
        return self._queryset


class EventInline(ReadOnlyInline):
    """The events of the members' feeds about this structure, newest first."""

    model = Event
    fk_name = "structure"
    max_shown = 50
    verbose_name_plural = _("event history (the latest 50)")
    fields = ["created_at", "user", "kind", "sentence"]
    readonly_fields = fields

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, formset=NewestFirstFormSet, **kwargs)
        formset.max_shown = self.max_shown
        return formset

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("user", "structure", "workspace", "actor", "subject")
        )

    @admin.display(description=_("event"))
    def sentence(self, obj):
        return obj.text


class AppointPrimaryManagerForm(forms.Form):
    email = forms.EmailField(
        label=_("Login email address of the new primary manager"),
        help_text=_("The account must be active and activated."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("No account uses this login email address."), code="unknown")
        self.user = user
        return email


@admin.register(Structure)
class StructureAdmin(FastChangeListMixin, ReadOnlyPermissionsMixin, admin.ModelAdmin):
    # Structures are created by their users and changed through the actions: the page itself is read-only.
    list_display = [
        "identifier_type_code",
        "identifier",
        "corporate_name",
        "city",
        "status",
        "moderation",
        "is_private",
        "primary_manager",
        "created_at",
    ]
    list_display_links = ["identifier", "corporate_name"]
    list_filter = [
        "identifier_type",
        "status",
        "moderation",
        "is_private",
        PrimaryManagerFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["identifier", "corporate_name", "city"]
    search_help_text = _("Identifier (SIRET…), corporate name, city or primary manager's email address.")
    ordering = ["-pk"]
    # Sorting by a column without an index would sort every structure: only indexed columns are sortable.
    sortable_by = ["corporate_name", "created_at"]
    # 50 rows: the rendering of each row (~0.3 ms) was most of the page's time at 100 (bench/directory.py).
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator  # "more than 1,000 structures" rather than counting 1,000,000
    inlines = [
        ServiceInline,
        StructureWorkspaceInline,
        MembershipInline,
        PendingRequestInline,
        EventInline,
        ModerationHistoryInline,
    ]
    fieldsets = [
        (None, {"fields": ["identifier_type", "identifier", "corporate_name", "label", "rcs_number"]}),
        (_("Moderation"), {"fields": ["status", "moderation", "is_private", "primary_manager"]}),
        (
            _("Address"),
            {
                "fields": [
                    "address",
                    "address_complement_1",
                    "address_complement_2",
                    "postal_code",
                    "city",
                    "country",
                    "is_non_diffusible",
                    "email",
                    "phone",
                    "fax",
                ]
            },
        ),
        (
            _("Settings"),
            {
                "classes": ["collapse"],
                "fields": [
                    "is_edi_emitter",
                    "receives_edi_lifecycle",
                    "connection_request_active",
                    "is_agricultural_management_centre",
                    "feature_payment_requests",
                    "feature_dume",
                ],
            },
        ),
        (_("History"), {"classes": ["collapse"], "fields": ["created_at", "created_by", "updated_at"]}),
    ]
    actions = ["verify", "suspend", "reactivate", "refresh_from_sirene", "export_csv"]
    # Each structure is one SIRENE lookup (the remote APIs allow a few dozen a minute): a bounded selection.
    refresh_max = 20
    # Beyond this many structures whose primary manager's address matches, the search unites two queries.
    search_managed_max = 500

    def has_moderate_permission(self, request):
        return request.user.has_perm("structures.moderate_structure")

    def has_refresh_permission(self, request):
        return request.user.has_perm("structures.refresh_structure")

    def has_export_permission(self, request):
        return request.user.has_perm("structures.export_structure")

    def has_appoint_permission(self, request):
        return request.user.has_perm("structures.appoint_primary_manager")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(
                primary_manager_email=Subquery(_primary_manager_memberships().values("user__email")[:1])
            )
        )

    @admin.display(description=_("primary manager"))
    def primary_manager(self, obj):
        return obj.primary_manager_email or "—"

    @admin.display(description=_("identifier type"), ordering="identifier_type")
    def identifier_type_code(self, obj):
        # The short API code (SIRET, RIDET…) keeps the column narrow; the filter shows the full labels.
        return _identifier_type_abbr(obj.identifier_type, get_language())

    def get_search_results(self, request, queryset, search_term):
        """Every word must be found in the identifier, corporate name or city, or every word in the primary
        manager's email address. Spaces inside an identifier typed as printed on an invoice
        ("831 285 978 00019") are ignored.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        compact = term.replace(" ", "")
        words = [compact] if compact.isdigit() else list(smart_split(term))
        by_text = Q()
        by_manager = Membership.objects.filter(is_active=True, role=Role.PRIMARY_MANAGER)
        for word in words:
            word = unescape_string_literal(word) if word[0] in {'"', "'"} and word[0] == word[-1] else word
            by_text &= Q(admin_search_text__contains=Upper(Value(word)))
            by_manager = by_manager.filter(user__email__icontains=word)
        queryset = queryset.alias(admin_search_text=STRUCTURE_SEARCH_TEXT)
        # The managers' side first (index user_email_trgm): usually a handful of structures, often none. The
        # structures' side then stays a condition on the listed rows, which PostgreSQL answers either through the
        # trigram index (a few matches) or by reading the newest structures until the page is full (a word found
        # in thousands: a city). An OR across the two tables would make it read every row.
        managed = list(by_manager.values_list("structure_id", flat=True)[: self.search_managed_max + 1])
        if len(managed) > self.search_managed_max:
            # A word found in very many addresses (a mail domain): one indexed query per source, united.
            structures = Structure.objects.alias(admin_search_text=STRUCTURE_SEARCH_TEXT).filter(by_text)
            return queryset.filter(
                pk__in=structures.values("pk").union(by_manager.values("structure_id"))
            ), False
        return queryset.filter(by_text | Q(pk__in=managed) if managed else by_text), False

    # --- actions

    @admin.action(
        description=_("Verify the selected structures"), permissions=["moderate"], location=BOTH_LOCATIONS
    )
    def verify(self, request, queryset):
        _run_service(
            self,
            request,
            queryset,
            services.structure_verify,
            lambda n: (
                ngettext("%(count)d structure verified.", "%(count)d structures verified.", n) % {"count": n}
            ),
        )

    @admin.action(
        description=_("Suspend the selected structures"), permissions=["moderate"], location=BOTH_LOCATIONS
    )
    def suspend(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            _run_service(
                self,
                request,
                queryset,
                services.structure_suspend,
                lambda n: (
                    ngettext("%(count)d structure suspended.", "%(count)d structures suspended.", n)
                    % {"count": n}
                ),
                reason=form.cleaned_data["reason"],
            )
            return None
        return _confirmation_page(
            self,
            request,
            queryset,
            title=gettext("Suspend structures"),
            action="suspend",
            form=form,
            button=gettext("Suspend"),
            help_text=gettext(
                "A suspended structure accepts no new attachment request and no request to it can be "
                "approved until it is reactivated."
            ),
        )

    @admin.action(
        description=_("Reactivate the selected structures"), permissions=["moderate"], location=BOTH_LOCATIONS
    )
    def reactivate(self, request, queryset):
        _run_service(
            self,
            request,
            queryset,
            services.structure_reactivate,
            lambda n: (
                ngettext("%(count)d structure reactivated.", "%(count)d structures reactivated.", n)
                % {"count": n}
            ),
        )

    @admin.action(
        description=_("Refresh the selected structures from SIRENE"),
        permissions=["refresh"],
        location=BOTH_LOCATIONS,
    )
    def refresh_from_sirene(self, request, queryset):
        structures = list(queryset[: self.refresh_max + 1])
        if len(structures) > self.refresh_max:
            self.message_user(
                request,
                gettext(
                    "Select at most %(count)d structures to refresh from SIRENE at once: nothing was changed."
                )
                % {"count": self.refresh_max},
                messages.ERROR,
            )
            return
        for structure in structures:
            try:
                refresh = services.structure_refresh_from_sirene(structure=structure, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{structure}: {text}", messages.ERROR)
                continue
            self.message_user(
                request, _refresh_summary(refresh), messages.SUCCESS if refresh.changes else messages.INFO
            )

    @admin.action(description=_("Export the selected structures as CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        count = queryset.count()
        ModerationAction.objects.record(
            actor=request.user, action=ModerationAction.Action.STRUCTURE_EXPORT, count=count
        )
        header = [
            gettext("identifier type"),
            gettext("identifier"),
            gettext("corporate name"),
            gettext("status"),
            gettext("moderation"),
            gettext("private structure"),
            gettext("postal code"),
            gettext("city"),
            gettext("country"),
            gettext("primary manager"),
            gettext("created on"),
        ]
        rows = queryset.order_by("pk").values_list(
            "identifier_type",
            "identifier",
            "corporate_name",
            "status",
            "moderation",
            "is_private",
            "postal_code",
            "city",
            "country",
            "primary_manager_email",
            "created_at",
        )

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo(), delimiter=";")

        def lines():
            yield "\ufeff" + writer.writerow(header)
            for row in rows.iterator(chunk_size=2000):
                values = list(row)
                values[5] = "1" if values[5] else "0"
                values[9] = values[9] or ""
                values[10] = timezone.localtime(values[10]).isoformat(timespec="seconds")
                yield writer.writerow([_csv_safe(v) for v in values])

        filename = f"structures-{timezone.localdate():%Y%m%d}.csv"
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # --- appointment of a primary manager

    def get_urls(self):
        return [
            path(
                "<path:object_id>/appoint-primary-manager/",
                self.admin_site.admin_view(self.appoint_primary_manager_view),
                name="structures_structure_appoint_primary_manager",
            ),
            *super().get_urls(),
        ]

    def appoint_primary_manager_view(self, request, object_id):
        if not self.has_appoint_permission(request):
            raise PermissionDenied
        structure = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = AppointPrimaryManagerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.structure_primary_manager_appoint(
                    structure=structure, user=form.user, by=request.user
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                self.message_user(
                    request,
                    gettext("%(email)s is now the primary manager of %(structure)s.")
                    % {"email": form.user.email, "structure": structure},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:structures_structure_change", args=[structure.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Appoint a new primary manager"),
            "opts": self.model._meta,
            "original": structure,
            "form": form,
        }
        return TemplateResponse(request, "admin/structures/structure/appoint_primary_manager.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_appoint": self.has_appoint_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)


def _shown(value):
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return gettext("“%(value)s”") % {"value": value} if value else gettext("(empty)")


def _refresh_summary(refresh):
    """What a refresh from SIRENE changed, as one sentence per structure."""
    structure = refresh.structure
    if not refresh.changes:
        text = gettext("already in line with the SIRENE directory, nothing changed.")
    else:
        changes = "; ".join(
            gettext("%(field)s: %(before)s → %(after)s")
            % {
                "field": Structure._meta.get_field(name).verbose_name,
                "before": _shown(before),
                "after": _shown(after),
            }
            for name, (before, after) in refresh.changes.items()
        )
        text = gettext("updated from the SIRENE directory: %(changes)s.") % {"changes": changes}
    if refresh.kept_masked:
        text += " " + gettext(
            "The address was kept: INSEE does not publish it (non-diffusible establishment)."
        )
    return f"{structure}: {text}"


def _csv_safe(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# --- Attachment requests ------------------------------------------------------------------------------------------


class StuckFilter(admin.SimpleListFilter):
    title = _("stuck")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [
            (str(days), _("Pending for more than %(days)d days") % {"days": days}) for days in (7, 15, 30)
        ]

    def queryset(self, request, queryset):
        if self.value() in ("7", "15", "30"):
            since = timezone.now() - datetime.timedelta(days=int(self.value()))
            return queryset.filter(status=AttachmentRequest.Status.PENDING, created_at__lt=since)
        return queryset


class RequestPrimaryManagerFilter(PrimaryManagerFilter):
    no_label = _("Without an active primary manager")

    def condition(self):
        return Exists(
            Membership.objects.filter(
                structure=OuterRef("structure_id"),
                is_active=True,
                role=Role.PRIMARY_MANAGER,
                user__is_active=True,
            )
        )


@admin.register(AttachmentRequest)
class AttachmentRequestAdmin(FastChangeListMixin, ReadOnlyPermissionsMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "structure_link",
        "status",
        "waiting_days",
        "primary_manager",
        "decided_by",
        "decided_at",
    ]
    list_filter = [
        StuckFilter,
        "status",
        RequestPrimaryManagerFilter,
        "scope",
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["user", "structure", "decided_by"]
    search_fields = ["user__email", "structure__identifier", "structure__corporate_name"]
    search_help_text = _("Requester's email address, structure identifier or corporate name.")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 100
    paginator = CappedCountPaginator
    fields = [
        "user",
        "structure",
        "scope",
        "services",
        "status",
        "created_at",
        "reminded_at",
        "decided_at",
        "decided_by",
        "reason",
        "primary_manager",
    ]
    readonly_fields = fields
    actions = ["approve", "refuse", "appoint_requester"]

    def has_decide_permission(self, request):
        return request.user.has_perm("structures.decide_attachmentrequest")

    def has_appoint_permission(self, request):
        return request.user.has_perm("structures.appoint_primary_manager")

    def get_queryset(self, request):
        managers = Membership.objects.filter(
            structure=OuterRef("structure_id"), is_active=True, role=Role.PRIMARY_MANAGER
        )
        return (
            super()
            .get_queryset(request)
            .annotate(primary_manager_email=Subquery(managers.values("user__email")[:1]))
        )

    @admin.display(description=_("primary manager"))
    def primary_manager(self, obj):
        return obj.primary_manager_email or "—"

    @admin.display(description=_("structure"), ordering="structure__corporate_name")
    def structure_link(self, obj):
        url = reverse("admin:structures_structure_change", args=[obj.structure_id])
        return format_html('<a href="{}">{}</a>', url, obj.structure)

    @admin.display(description=_("waiting for (days)"))
    def waiting_days(self, obj):
        if obj.status != AttachmentRequest.Status.PENDING:
            return "—"
        return (timezone.now() - obj.created_at).days

    @admin.action(
        description=_("Approve the selected requests"), permissions=["decide"], location=BOTH_LOCATIONS
    )
    def approve(self, request, queryset):
        _run_service(
            self,
            request,
            queryset.select_related("user", "structure"),
            account_services.user_attachment_request_approve,
            lambda n: (
                ngettext("%(count)d request approved.", "%(count)d requests approved.", n) % {"count": n}
            ),
            target="request",
        )

    @admin.action(
        description=_("Refuse the selected requests"), permissions=["decide"], location=BOTH_LOCATIONS
    )
    def refuse(self, request, queryset):
        form = RefusalForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            _run_service(
                self,
                request,
                queryset.select_related("user", "structure"),
                services.attachment_request_refuse,
                lambda n: (
                    ngettext("%(count)d request refused.", "%(count)d requests refused.", n) % {"count": n}
                ),
                target="request",
                reason=form.cleaned_data["reason"],
            )
            return None
        return _confirmation_page(
            self,
            request,
            queryset.select_related("user", "structure"),
            title=gettext("Refuse attachment requests"),
            action="refuse",
            form=form,
            button=gettext("Refuse"),
            help_text=gettext("The requesters are told by email, with the reason if you give one."),
        )

    @admin.action(
        description=_("Appoint the requester as primary manager (structure without one)"),
        permissions=["appoint"],
        location=BOTH_LOCATIONS,
    )
    def appoint_requester(self, request, queryset):
        done = 0
        for attachment_request in queryset.select_related("user", "structure"):
            structure = attachment_request.structure
            has_manager = Membership.objects.filter(
                structure=structure, is_active=True, role=Role.PRIMARY_MANAGER, user__is_active=True
            ).exists()
            if has_manager:
                self.message_user(
                    request,
                    gettext(
                        "%(structure)s still has an active primary manager: replace them from the structure's page."
                    )
                    % {"structure": structure},
                    messages.ERROR,
                )
                continue
            try:
                services.structure_primary_manager_appoint(
                    structure=structure, user=attachment_request.user, by=request.user
                )
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{attachment_request}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d primary manager appointed.", "%(count)d primary managers appointed.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, told to the requester)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )


# --- Moderation history -------------------------------------------------------------------------------------------


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyPermissionsMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "structure", "user", "attachment_request_number"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["actor", "structure", "user"]
    search_fields = ["actor__email", "user__email", "structure__identifier", "structure__corporate_name"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "action", "structure", "user", "attachment_request", "details"]
    readonly_fields = fields

    @admin.display(description=_("attachment request"))
    def attachment_request_number(self, obj):
        if obj.attachment_request_id is None:
            return "—"
        url = reverse("admin:structures_attachmentrequest_change", args=[obj.attachment_request_id])
        return format_html('<a href="{}">#{}</a>', url, obj.attachment_request_id)


# --- Event feeds ----------------------------------------------------------------------------------------------------


class ReadOnlyAdmin(ReadOnlyPermissionsMixin, admin.ModelAdmin):
    """A list and detail pages to read, never to add, change or delete (history and directory)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 100
    paginator = CappedCountPaginator


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "structure", "sentence"]
    list_filter = ["kind"]
    list_select_related = ["user", "structure", "workspace", "actor", "subject"]
    search_fields = ["user__email"]
    search_help_text = _("Email address of the user whose feed it is.")
    fields = [
        "created_at",
        "user",
        "kind",
        "sentence",
        "structure",
        "workspace",
        "actor",
        "subject",
        "role",
        "reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("event"))
    def sentence(self, obj):
        return obj.text


# --- SIRENE directory -----------------------------------------------------------------------------------------------


def _digits_range(field, digits, width):
    """Every value of ``field`` (``width`` digits) starting with ``digits``: a range read of its index."""
    return Q(**{f"{field}__gte": digits.ljust(width, "0"), f"{field}__lte": digits.ljust(width, "9")})


def _legal_units_named(term, limit=50):
    """The SIREN numbers of the legal units whose name starts with ``term`` (index legal_unit_name_prefix)."""
    return list(
        LegalUnit.objects.filter(corporate_name__istartswith=term)
        .order_by()
        .values_list("siren", flat=True)[:limit]
    )


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    list_display = [
        "siret",
        "corporate_name",
        "label",
        "postal_code",
        "city",
        "is_head_office",
        "is_active",
        "is_non_diffusible",
    ]
    list_filter = ["is_active", "is_head_office", "is_non_diffusible"]
    list_select_related = ["legal_unit"]
    search_fields = ["siret"]
    search_help_text = _("SIRET or SIREN number (or their first digits), or the start of the corporate name.")
    ordering = ["siret"]

    @admin.display(description=_("corporate name"))
    def corporate_name(self, obj):
        return obj.legal_unit.corporate_name if obj.legal_unit else "—"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        compact = term.replace(" ", "").replace(".", "")
        if compact.isdigit():
            if len(compact) > 14:
                return queryset.none(), False
            return queryset.filter(_digits_range("siret", compact, 14)), False
        ranges = Q()
        for siren in _legal_units_named(term):
            ranges |= _digits_range("siret", siren, 14)
        return (queryset.filter(ranges) if ranges else queryset.none()), False


@admin.register(LegalUnit)
class LegalUnitAdmin(ReadOnlyAdmin):
    list_display = ["siren", "corporate_name", "is_active", "is_non_diffusible"]
    list_filter = ["is_active", "is_non_diffusible"]
    search_fields = ["siren"]
    search_help_text = _("SIREN number (or its first digits), or the start of the corporate name.")
    ordering = ["siren"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        compact = term.replace(" ", "").replace(".", "")
        if compact.isdigit():
            if len(compact) > 9:  # a SIRET: its first nine digits are the SIREN
                compact = compact[:9]
            return queryset.filter(_digits_range("siren", compact, 9)), False
        return queryset.filter(corporate_name__istartswith=term), False


@admin.register(SireneImport)
class SireneImportAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "file_name",
        "kind",
        "status",
        "rows_read",
        "rows_inserted",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    fields = [
        "file_name",
        "kind",
        "status",
        "started_at",
        "finished_at",
        "rows_read",
        "rows_inserted",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
        "rejections_by_reason",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description=_("rejections by reason"))
    def rejections_by_reason(self, obj):
        """The rejections as "reason: count (first lines …)", one per line."""
        if not obj.rejections:
            return "—"
        lines = []
        for reason, value in sorted(obj.rejections.items()):
            entry = value if isinstance(value, dict) else {"count": value}
            values = {
                "reason": reason,
                "count": entry.get("count", ""),
                "lines": ", ".join(map(str, entry.get("lines") or [])),
            }
            if values["lines"]:
                lines.append(gettext("%(reason)s: %(count)s (lines %(lines)s…)") % values)
            else:
                lines.append(gettext("%(reason)s: %(count)s") % values)
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))
