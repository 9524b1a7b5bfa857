from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Workspace(models.Model):
    """A working area ("espace") of the portal: a set of features shown as a tab of the menu."""

    code = models.SlugField(_("code"), max_length=50, primary_key=True)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    description_fr = models.CharField(_("description (French)"), max_length=255)
    description_en = models.CharField(_("description (English)"), max_length=255)
    is_default = models.BooleanField(_("activated by default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["position", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.label_en if get_language() == "en" else self.label_fr

    @property
    def description(self):
        return self.description_en if get_language() == "en" else self.description_fr


class WorkspaceActivation(models.Model):
    """Whether a user has opened a workspace. One row per user and workspace, switched on and off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="workspace_activations",
    )
    workspace = models.ForeignKey(
        Workspace, verbose_name=_("workspace"), on_delete=models.PROTECT, related_name="activations"
    )
    is_active = models.BooleanField(_("open"), default=True)
    updated_at = models.DateTimeField(_("updated on"), default=timezone.now)

    class Meta:
        verbose_name = _("workspace activation")
        verbose_name_plural = _("workspace activations")
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="workspace_activation_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.workspace_id} ({'on' if self.is_active else 'off'})"
