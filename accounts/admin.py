from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import user_activation_send


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_active", "email_verified_at", "date_joined"]
    list_filter = ["is_active", "is_staff", "language"]
    search_fields = ["email", "last_name", "first_name"]
    readonly_fields = ["email_verified_at", "date_joined", "last_login"]
    actions = ["resend_activation"]
    fieldsets = [
        (None, {"fields": ["email", "contact_email", "last_name", "first_name", "phone", "language"]}),
        (_("Status"), {"fields": ["is_active", "email_verified_at", "date_joined", "last_login"]}),
        (_("Permissions"), {"fields": ["is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "last_name", "first_name", "password1", "password2"]},
        ),
    ]

    @admin.action(description=_("Send a new activation link"))
    def resend_activation(self, request, queryset):
        pending = [user for user in queryset if user.is_active and not user.is_activated]
        for user in pending:
            user_activation_send(user=user)
        self.message_user(
            request,
            ngettext(
                "%(count)d activation link sent (accounts already activated are skipped).",
                "%(count)d activation links sent (accounts already activated are skipped).",
                len(pending),
            )
            % {"count": len(pending)},
            messages.SUCCESS,
        )
