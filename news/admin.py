from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from news.models import News


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ["published_on", "title_fr", "title_en", "is_published"]
    list_display_links = ["published_on", "title_fr", "title_en"]
    list_filter = ["is_published", "published_on"]
    search_fields = ["title_fr", "title_en", "body_fr", "body_en"]
    date_hierarchy = "published_on"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["published_on", "is_published"]}),
        (_("French"), {"fields": ["title_fr", "body_fr"]}),
        (_("English"), {"fields": ["title_en", "body_en"]}),
    ]
