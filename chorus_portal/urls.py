from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from chorus_portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("captcha/", include("captcha.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("structures.urls")),
    path("", include("workspaces.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

if settings.PORTAL_BENCH_BARE_VIEW:
    urlpatterns += [path("bench/", include("bench.urls"))]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Rendered without the request context (the database or the session may be what failed).
handler500 = "chorus_portal.views.server_error"
