"""The portal's pages under /fr/ without i18n_patterns: the same path in English is the same URL
(tests/test_language_links.py)."""

from django.urls import include, path

from chorus_portal import views

urlpatterns = [
    path("fr/", views.home, name="home"),
    path("fr/", include("accounts.urls")),
    path("fr/", include("structures.urls")),
    path("fr/", include("workspaces.urls")),
]
