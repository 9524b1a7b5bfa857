"""Bench-only URLs, mounted under /bench/ when PORTAL_BENCH_BARE_VIEW=1 (never in a real deployment)."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def bare(request):
    """The baseline of bench/pages.py: the whole middleware stack, no template, no query."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bare", bare, name="bench_bare")]
