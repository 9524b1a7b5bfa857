from django.contrib import admin

from news.models import News


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ["published_on", "__str__", "is_published"]
    list_filter = ["is_published", "published_on"]
    search_fields = ["title_fr", "title_en", "body_fr", "body_en"]
    date_hierarchy = "published_on"
