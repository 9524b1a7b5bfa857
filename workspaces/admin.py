from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workspaces.models import Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "label_fr", "label_en", "is_default", "is_available"]
    list_display_links = ["code", "label_fr", "label_en"]
    list_filter = ["is_default", "is_available"]
    search_fields = ["code", "label_fr", "label_en"]
    ordering = ["position", "code"]
    fieldsets = [
        (None, {"fields": ["code", "position", "is_default", "is_available"]}),
        (_("French"), {"fields": ["label_fr", "description_fr"]}),
        (_("English"), {"fields": ["label_en", "description_en"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The code is the workspace's identity (users' activations point to it).
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Users' activations point to the catalogue: a workspace is made unavailable, not deleted.
        return False
