from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse, translate_url
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from chorus_portal.markup_cache import MarkupCache, url_context

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


@lru_cache(maxsize=64)
def _name_in_its_language(code):
    """A language's name as its link shows it, in that language ("Français" on an English page)."""
    with override(code):
        return str(dict(settings.LANGUAGES)[code])


@receiver(setting_changed)
def _translated_paths_forget(*, setting, **kwargs):
    """The caches above hold for one URLconf and one set of languages (tests change them)."""
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        _translated_path.cache_clear()
        _name_in_its_language.cache_clear()


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
                "name": _name_in_its_language(code),
                "url": _translated_path(path, code, current, script_prefix) + separator + query,
            }
            for code, _name in settings.LANGUAGES
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

# The menu's markup (templates/partials/menu.html), kept per language, script prefix and URLconf and per entries
# shown: which ones, the label of each workspace and the entry of the page shown. Its URLs and fixed labels are a
# function of those, so a page reverses and renders them only the first time.
_MENUS = MarkupCache(size=2000)


def _menu_entries(request, user):
    """What the menu shows, as a key: (kind, workspace code, workspace label, current) per entry."""
    from structures.selectors import user_attachment_summary, user_workspaces

    match = request.resolver_match
    url_name = match.url_name if match else None
    if user is None or not user.is_authenticated:
        return (("home", None, None, url_name == "home"),)
    entries = [("connected_home", None, None, url_name == "home")]
    if user_attachment_summary(user=user).managed > 0:
        entries.append(("manager", None, None, url_name in _MANAGER_PAGES))
    code = match.kwargs.get("code") if url_name == "workspace" else None
    entries.extend(
        ("workspace", workspace.code, workspace.label, workspace.code == code)
        for workspace in user_workspaces(user=user).open
    )
    entries.append(("account", None, None, url_name in _ACCOUNT_PAGES))
    return tuple(entries)


def _menu_items(entries):
    fixed = {
        "home": ("home", gettext("Home")),
        "connected_home": ("home", gettext("Connected home")),
        "manager": ("manager", gettext("Manager activities")),
        "account": ("account", gettext("My account")),
    }
    items = []
    for kind, code, label, current in entries:
        if kind == "workspace":
            items.append(MenuItem(reverse("workspace", args=[code]), label, current))
        else:
            url_name, fixed_label = fixed[kind]
            items.append(MenuItem(reverse(url_name), fixed_label, current))
    return items


def _menu(request, user):
    entries = _menu_entries(request, user)
    return _MENUS.get(
        (*url_context(), entries),
        lambda: render_to_string("partials/menu.html", {"menu_items": _menu_items(entries)}),
    )


def connected_menu(request):
    """The header's main menu, as markup (home; for a logged-in user "Activités du gestionnaire" when a manager,
    the open workspaces and "Mon Compte"), and the user's open workspaces for the connected home. Evaluated only
    when a page uses them (the counts and the open workspaces: one query, shared with the page's own reads)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    context = {"menu": SimpleLazyObject(lambda: _menu(request, user))}
    if user is not None and user.is_authenticated:
        from structures.selectors import user_workspaces

        context["menu_workspaces"] = SimpleLazyObject(lambda: user_workspaces(user=user).open)
    return context
