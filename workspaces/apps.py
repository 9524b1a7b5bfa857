from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = _("Workspaces")

    def ready(self):
        from workspaces.models import Workspace
        from workspaces.selectors import workspace_catalogue_forget

        post_save.connect(
            workspace_catalogue_forget, sender=Workspace, dispatch_uid="workspace_catalogue_forget_save"
        )
        post_delete.connect(
            workspace_catalogue_forget, sender=Workspace, dispatch_uid="workspace_catalogue_forget_delete"
        )
