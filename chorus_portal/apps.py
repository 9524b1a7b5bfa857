from django.apps import AppConfig


class ChorusPortalConfig(AppConfig):
    """The project itself: home page, health check, demo data loading."""

    name = "chorus_portal"
    verbose_name = "Chorus Pro"

    def ready(self):
        from chorus_portal import checks  # noqa: F401 (registers the deployment checks)
