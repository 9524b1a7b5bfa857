"""The portal's template loader (chorus_portal/template_loader.py): the fixed runs of each template (text,
translations, URLs without arguments, static files) are rendered once, and every page is the same as Django's
own loader renders it."""

import re

import pytest
from django.template import Context, Engine
from django.template.loader import get_template
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from chorus_portal.template_loader import FixedRunNode
from tests.connected.conftest import login
from tests.test_page_markup import ANONYMOUS_PAGES, CONNECTED_PAGES, url

TEMPLATES = {
    "page.html": (
        "{% load i18n static %}<h1>{% translate 'Home' %}</h1><a href=\"{% url 'home' %}\">{{ name }}</a>"
        "{% if flag %}<p>{% translate 'You have not opened any workspace yet.' %}</p>{% else %}<p>{% url 'login' %}"
        "</p>{% endif %}{% for item in items %}<li>{% translate 'Menu' %} {{ item }}</li>{% endfor %}"
        '{% autoescape off %}<q>{% static "l\'image.css" %}</q>{% endautoescape %}<q>{% static "l\'image.css" %}</q>'
        "<link href=\"{% static 'css/portal.css' %}\">{% translate name %}{% translate 'Home' as home %}[{{ home }}]"
        "{% url 'workspace' code %}{% language 'en' %}{% translate 'Home' %}{% endlanguage %}"
        "{% static 'css/'|add:sheet %}{% static 'css/portal.css' as stylesheet %}({{ stylesheet }})"
        "{% url 'admin:index' %}"
    ),
}


def engine(merging):
    """An engine over TEMPLATES with the portal's loader, or with Django's cached loader alone."""
    loader = "chorus_portal.template_loader.Loader" if merging else "django.template.loaders.cached.Loader"
    return Engine(
        loaders=[(loader, [("django.template.loaders.locmem.Loader", TEMPLATES)])],
        libraries={"i18n": "django.templatetags.i18n", "static": "django.templatetags.static"},
    )


def render(template, autoescape=True, **context):
    defaults = {"name": "Log in", "flag": True, "items": [], "code": "sent-requests", "sheet": "a.css"}
    return template.render(Context({**defaults, **context}, autoescape=autoescape))


def test_a_template_is_compiled_with_its_fixed_runs_merged():
    template = engine(merging=True).get_template("page.html")
    kinds = [type(node).__name__ for node in template.nodelist]
    assert kinds[0] == "FixedRunNode"  # {% load %}, the heading, the start of the link, its URL
    assert "VariableNode" in kinds and "IfNode" in kinds and "ForNode" in kinds
    # With an argument, or namespaced (the current application may choose the instance): rendered on each display.
    assert kinds.count("URLNode") == 2
    assert kinds.count("StaticNode") == 2  # with a filter, and the one that sets ``stylesheet``
    assert "TranslateNode" in kinds  # of a variable, and the one that sets ``home``
    # Inside the branches and the loops too.
    (condition,) = (node for node in template.nodelist if type(node).__name__ == "IfNode")
    for _, branch in condition.conditions_nodelists:
        assert [type(node) for node in branch] == [FixedRunNode]
    (loop,) = (node for node in template.nodelist if type(node).__name__ == "ForNode")
    assert [type(node).__name__ for node in loop.nodelist_loop] == [
        "FixedRunNode",
        "VariableNode",
        "TextNode",  # a lone text node stays as it is,
    ]


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_merged_template_renders_what_django_renders(language, flag):
    merged, plain = (
        engine(merging=True).get_template("page.html"),
        engine(merging=False).get_template("page.html"),
    )
    with translation.override(language):
        for context in (
            {"flag": flag},
            {
                "flag": flag,
                "name": "Menu",
                "items": ["a", "<b>"],
                "code": "issued-invoices",
                "sheet": "b.css",
            },
        ):
            assert render(merged, **context) == render(plain, **context)
            assert render(merged, autoescape=False, **context) == render(plain, autoescape=False, **context)


def test_each_language_gets_its_own_markup_from_the_same_template():
    template = engine(merging=True).get_template("page.html")
    with translation.override("fr"):
        french = render(template)
    with translation.override("en"):
        english = render(template)
    assert french.startswith('<h1>Accueil</h1><a href="/fr/">')
    assert english.startswith('<h1>Home</h1><a href="/en/">')
    # Autoescaping is part of the key: the same URL, escaped outside {% autoescape off %} only, and by a context
    # that escapes.
    assert "<q>/static/l'image.css</q><q>/static/l&#x27;image.css</q>" in french
    with translation.override("fr"):
        assert "<q>/static/l'image.css</q><q>/static/l'image.css</q>" in render(template, autoescape=False)
    # What is not fixed follows the context on every display.
    with translation.override("fr"):
        again = render(template, name="Menu", code="issued-invoices", sheet="b.css")
        workspace = reverse("workspace", args=["issued-invoices"])
    assert f"Menu[Accueil]{workspace}Home/static/css/b.css(/static/css/portal.css)/fr/admin/" in again


def test_a_script_prefix_gets_its_own_markup():
    template = engine(merging=True).get_template("page.html")
    with translation.override("fr"):
        assert '<a href="/fr/">' in render(template)
    try:
        set_script_prefix("/portail/")
        with translation.override("fr"):
            prefixed = render(template)
    finally:
        set_script_prefix("/")
    assert '<a href="/portail/fr/">' in prefixed


def test_the_portal_templates_are_compiled_by_this_loader():
    assert get_template("accounts/account.html").template.nodelist.get_nodes_by_type(FixedRunNode)


# What differs from one request to the next: the CSP nonce, the masked CSRF token, a captcha's key.
_PER_REQUEST = re.compile(r'(nonce="|csrfmiddlewaretoken" value=")[^"]+|[0-9a-f]{40}')


def _same_settings_with_djangos_loader(settings):
    (portal,) = settings.TEMPLATES
    options = {key: value for key, value in portal["OPTIONS"].items() if key != "loaders"}
    return [{**portal, "APP_DIRS": True, "OPTIONS": options}]


def _pages(client, pages, lang, structure=None):
    return {
        name: _PER_REQUEST.sub(r"\1", client.get(url(name, kwargs, lang, structure)).content.decode())
        for name, kwargs in pages
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_is_the_same_as_with_djangos_loader(client, settings, manager_world, lang):
    structure, manager = manager_world
    with override_settings(TEMPLATES=_same_settings_with_djangos_loader(settings)):
        expected = _pages(client, ANONYMOUS_PAGES, lang)
    assert _pages(client, ANONYMOUS_PAGES, lang) == expected
    login(client, manager)
    with override_settings(TEMPLATES=_same_settings_with_djangos_loader(settings)):
        expected = _pages(client, CONNECTED_PAGES, lang, structure)
    assert _pages(client, CONNECTED_PAGES, lang, structure) == expected
