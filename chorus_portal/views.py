import sys

from django.conf import settings
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.forms import LoginForm, SignupIdentifyForm
from chorus_portal.forms import unbound_form_markup
from news.selectors import news_for_home
from structures.selectors import event_feed, user_has_attachment

FEED_PAGE_SIZE = 10


@require_GET
def home(request):
    """Home page of seed 003: login box, news, "New on Chorus Pro?" and the public structure search.
    Logged in, the "Accueil connecté": event feed, news, "Mes espaces" and the public structure search."""
    if request.user.is_authenticated:
        return render(
            request,
            "home_connected.html",
            {
                "page_obj": Paginator(event_feed(user=request.user), FEED_PAGE_SIZE).get_page(
                    request.GET.get("page")
                ),
                "news": news_for_home(),
                "has_attachment": user_has_attachment(user=request.user),
            },
        )
    return render(
        request,
        "home.html",
        {
            "login_form": unbound_form_markup(LoginForm, lambda: LoginForm(request)),
            # "Vous êtes nouveau sur Chorus Pro ?": step 1 of the signup, posted to the signup itself.
            "signup_form": unbound_form_markup(
                SignupIdentifyForm, lambda: SignupIdentifyForm(auto_id="new-%s")
            ),
            "news": news_for_home(),
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


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that do not name one (the admin's): the DSFR's Marianne."""
    return redirect(static("dsfr/dist/favicon/favicon.ico"), permanent=True)


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
