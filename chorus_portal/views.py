import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.forms import LoginForm
from news.selectors import news_published


@require_GET
def home(request):
    """Home page of seed 003: login box, news, "New on Chorus Pro?" and the public structure search."""
    return render(
        request,
        "home.html",
        {
            "login_form": LoginForm(request),
            "news": news_published()[:5],
        },
    )


@never_cache
@require_GET
def healthz(request):
    """For a load balancer: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def server_error(request):
    """handler500. A database that dropped the connection or cannot be reached is a temporary outage: 503 with
    Retry-After (the next request opens a new connection); anything else is a 500. Both pages are bilingual and
    rendered without the request context, which may need the very database that failed."""
    context = {"PORTAL_NAME": settings.PORTAL_NAME, "PORTAL_CONTACT_EMAIL": settings.PORTAL_CONTACT_EMAIL}
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return HttpResponse(
            loader.render_to_string("503.html", context), status=503, headers={"Retry-After": "30"}
        )
    return HttpResponse(loader.render_to_string("500.html", context), status=500)
