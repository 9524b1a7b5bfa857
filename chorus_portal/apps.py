from django.apps import AppConfig


class ChorusPortalConfig(AppConfig):
    """The project itself: home page, health check, demo data loading."""

    name = "chorus_portal"
    verbose_name = "Chorus Pro"
