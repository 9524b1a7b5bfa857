import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone
from django.utils.text import format_lazy, smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import User
from chorus_portal.admin import FastChangeListMixin, YesNoFilter
from chorus_portal.pagination import CappedCountPaginator

admin.site.site_header = format_lazy("{} – {}", settings.PORTAL_NAME, _("administration"))
admin.site.site_title = format_lazy("{} – {}", settings.PORTAL_NAME, _("administration"))
admin.site.index_title = _("Moderation")

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]

# What the users' search looks in: one text, indexed by a trigram index on PostgreSQL (accounts migration
# 0003_user_search_indexes builds the same expression; change both together).
USER_SEARCH_TEXT = Upper(Concat("email", Value(" "), "last_name", Value(" "), "first_name"))


def _lockouts():
    """The django-axes failure records that lock out the login of the outer user right now."""
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    attempts = AccessAttempt.objects.filter(
        username__iexact=OuterRef("email"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if isinstance(cooloff, datetime.timedelta):
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return attempts


class ActivatedFilter(YesNoFilter):
    title = _("email verified")
    parameter_name = "activated"
    yes_label = _("Activated")
    no_label = _("Not activated yet")

    def condition(self):
        return Q(email_verified_at__isnull=False)


class LockedOutFilter(YesNoFilter):
    title = _("locked out")
    parameter_name = "locked_out"
    yes_label = _("Yes")
    no_label = _("No")

    def condition(self):
        return Exists(_lockouts())


@admin.register(User)
class UserAdmin(FastChangeListMixin, BaseUserAdmin):
    ordering = ["-pk"]
    list_display = ["email", "last_name", "first_name", "is_active", "activated", "locked_out", "date_joined"]
    list_filter = ["is_active", ActivatedFilter, LockedOutFilter, "is_staff", "groups", "language"]
    search_fields = ["email", "last_name", "first_name"]
    search_help_text = _("Login email address, name or first name.")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counting every filter's options reads the whole table
    list_per_page = 100
    paginator = CappedCountPaginator  # "more than 10,000 users" rather than counting every account
    readonly_fields = ["is_active", "email_verified_at", "date_joined", "last_login", "locked_out"]
    # Never the password hash nor the secret answer (not even hashed).
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "email",
                    "contact_email",
                    "last_name",
                    "first_name",
                    "phone",
                    "fax",
                    "language",
                    "survey_consent",
                ]
            },
        ),
        (
            _("Postal address"),
            {
                "fields": [
                    "address",
                    "address_complement_1",
                    "address_complement_2",
                    "postal_code",
                    "city",
                    "country",
                ]
            },
        ),
        (
            _("Status"),
            {"fields": ["is_active", "email_verified_at", "locked_out", "date_joined", "last_login"]},
        ),
    ]
    staff_fieldset = (_("Permissions"), {"fields": ["is_staff", "is_superuser", "groups"]})
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "last_name", "first_name", "password1", "password2"]},
        ),
    ]
    actions = ["resend_activation", "unlock", "deactivate"]

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: their attachments and decisions stay traceable.
        return False

    def has_manage_staff_permission(self, request):
        return request.user.has_perm("structures.manage_staff")

    def has_resend_activation_permission(self, request):
        return request.user.has_perm("structures.resend_activation")

    def has_unlock_permission(self, request):
        return request.user.has_perm("structures.unlock_user")

    def has_deactivate_permission(self, request):
        return request.user.has_perm("structures.deactivate_user")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        fieldsets = list(self.fieldsets)
        if self.has_manage_staff_permission(request):
            fieldsets.append(self.staff_fieldset)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            readonly.append("is_superuser")
        if self.has_manage_staff_permission(request):
            readonly.remove("is_active")
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(is_locked_out=Exists(_lockouts()))

    def get_search_results(self, request, queryset, search_term):
        """Every word typed must be found in the login email address, name or first name."""
        words = list(smart_split(search_term.strip()))
        if not words:
            return queryset, False
        # A condition on the listed rows: PostgreSQL answers it through the trigram index (a few matches) or by
        # reading the newest accounts until the page is full (a word found in thousands), never counting them all.
        queryset = queryset.alias(admin_search_text=USER_SEARCH_TEXT)
        for word in words:
            word = unescape_string_literal(word) if word[0] in {'"', "'"} and word[0] == word[-1] else word
            queryset = queryset.filter(admin_search_text__contains=Upper(Value(word)))
        return queryset, False

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is for administrators only; moderators resend the activation email.
        if not self.has_manage_staff_permission(request):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(description=_("activated"), boolean=True, ordering="email_verified_at")
    def activated(self, obj):
        return obj.email_verified_at is not None

    @admin.display(description=_("locked out"), boolean=True)
    def locked_out(self, obj):
        return obj.is_locked_out

    def _run(self, request, queryset, service, success):
        done = 0
        for user in queryset:
            try:
                service(user=user, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{user}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success(done), messages.SUCCESS)

    @admin.action(
        description=_("Send the activation email again"),
        permissions=["resend_activation"],
        location=BOTH_LOCATIONS,
    )
    def resend_activation(self, request, queryset):
        self._run(
            request,
            queryset,
            services.user_activation_resend,
            lambda n: (
                ngettext(
                    "Activation email sent to %(count)d user.", "Activation email sent to %(count)d users.", n
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Unlock the login"), permissions=["unlock"], location=BOTH_LOCATIONS)
    def unlock(self, request, queryset):
        self._run(
            request,
            queryset,
            services.user_unlock,
            lambda n: ngettext("%(count)d login unlocked.", "%(count)d logins unlocked.", n) % {"count": n},
        )

    @admin.action(
        description=_("Deactivate the accounts"), permissions=["deactivate"], location=BOTH_LOCATIONS
    )
    def deactivate(self, request, queryset):
        self._run(
            request,
            queryset,
            services.user_deactivate,
            lambda n: (
                ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", n)
                % {"count": n}
            ),
        )
