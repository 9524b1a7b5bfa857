from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ENVIRONMENT_NOTICES = {
    "demo": _(
        "Demonstration environment: this is not the State's Chorus Pro portal. "
        "Nothing entered here is sent to the administration."
    ),
    "qualification": _(
        "Qualification environment: this instance is for testing. "
        "Nothing entered here is sent to the administration."
    ),
}


@lru_cache(maxsize=2048)
def _translated_path(path, code, current, script_prefix):
    """``translate_url`` of a path (no query string): a function of the URLconf, the path, both languages and the
    script prefix only, so computed once per process (resolving then reversing costs more than the rest of the
    header)."""
    return translate_url(path, code)


@receiver(setting_changed)
def _translated_paths_forget(*, setting, **kwargs):
    """The cache above holds for one URLconf and one set of languages (tests change them)."""
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        _translated_path.cache_clear()


def portal(request):
    """The portal's identity, the links to this same page in the other languages and, outside production,
    the notice naming the environment."""
    environment = settings.PORTAL_ENVIRONMENT
    current = get_language()
    path, separator, query = request.get_full_path().partition("?")
    script_prefix = get_script_prefix()
    return {
        "other_languages": [
            {
                "code": code,
                "name": name,
                "url": _translated_path(path, code, current, script_prefix) + separator + query,
            }
            for code, name in settings.LANGUAGES
            if code != current
        ],
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_OPERATOR": settings.PORTAL_OPERATOR,
        "PORTAL_CONTACT_EMAIL": settings.PORTAL_CONTACT_EMAIL,
        "environment_notice": None
        if environment == "production"
        else ENVIRONMENT_NOTICES.get(environment, ENVIRONMENT_NOTICES["demo"]),
    }


def connected_menu(request):
    """The connected menu: "Activités du gestionnaire" for managers and the user's open workspaces. Evaluated only
    when a page uses it (one query each, shared with the page's attachment counts and workspace choices; the
    workspace catalogue from the shared cache)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    from structures.selectors import user_attachment_summary, user_workspaces

    return {
        "menu_is_manager": SimpleLazyObject(lambda: user_attachment_summary(user=user).managed > 0),
        "menu_workspaces": SimpleLazyObject(lambda: user_workspaces(user=user).open),
    }
