from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse, translate_url
from django.utils.translation import get_language, gettext
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


@dataclass(frozen=True)
class MenuItem:
    """An entry of the header's main menu; ``current`` marks the entry of the page shown (aria-current)."""

    url: str
    label: str
    current: bool


# The pages under each entry of the menu, by URL name.
_MANAGER_PAGES = frozenset({"manager", "manager_structure", "manager_structure_edit"})
_ACCOUNT_PAGES = frozenset({"account", "attachment_search", "attachment_request_new", "structure_create"})


def _menu_items(request, user):
    from structures.selectors import user_attachment_summary, user_workspaces

    match = request.resolver_match
    url_name = match.url_name if match else None
    if user is None or not user.is_authenticated:
        return [MenuItem(reverse("home"), gettext("Home"), url_name == "home")]
    items = [MenuItem(reverse("home"), gettext("Connected home"), url_name == "home")]
    if user_attachment_summary(user=user).managed > 0:
        items.append(MenuItem(reverse("manager"), gettext("Manager activities"), url_name in _MANAGER_PAGES))
    code = match.kwargs.get("code") if url_name == "workspace" else None
    items.extend(
        MenuItem(reverse("workspace", args=[workspace.code]), workspace.label, workspace.code == code)
        for workspace in user_workspaces(user=user).open
    )
    items.append(MenuItem(reverse("account"), gettext("My account"), url_name in _ACCOUNT_PAGES))
    return items


def connected_menu(request):
    """The header's main menu (home; for a logged-in user "Activités du gestionnaire" when a manager, the open
    workspaces and "Mon Compte"), and the user's open workspaces for the connected home. Evaluated only when a page
    uses them (the counts and the open workspaces: one query, shared with the page's own reads)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    context = {"menu_items": SimpleLazyObject(lambda: _menu_items(request, user))}
    if user is not None and user.is_authenticated:
        from structures.selectors import user_workspaces

        context["menu_workspaces"] = SimpleLazyObject(lambda: user_workspaces(user=user).open)
    return context
