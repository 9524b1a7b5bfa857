from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_active", "email_verified_at", "date_joined"]
    list_filter = ["is_active", "is_staff", "language"]
    search_fields = ["email", "last_name", "first_name"]
    readonly_fields = ["email_verified_at", "date_joined", "last_login"]
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
