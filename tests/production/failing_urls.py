"""Test URLconf: views that fail, served with the portal's own error handler."""

from django.urls import path

from chorus_portal.urls import handler500  # noqa: F401 (the handler under test)


def bug(request):
    raise ZeroDivisionError("a bug in a view")


urlpatterns = [path("bug/", bug)]
