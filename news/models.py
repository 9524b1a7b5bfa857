from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class News(models.Model):
    """An item of the home page's "Actualités", written in French and in English."""

    published_on = models.DateField(_("publication date"), default=timezone.localdate, db_index=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_fr = models.TextField(_("text (French)"))
    body_en = models.TextField(_("text (English)"))
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return self.title_fr or self.body_fr[:60]

    @property
    def title(self):
        return self.title_en if get_language() == "en" else self.title_fr

    @property
    def body(self):
        return self.body_en if get_language() == "en" else self.body_fr
