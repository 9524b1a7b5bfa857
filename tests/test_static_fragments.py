"""``{% static_fragment %}`` (chorus_portal/templatetags/portal_fragments.py): the layout's markup that depends only
on the settings and the language, rendered once per process."""

import re

from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template(
    "{% load i18n portal_fragments %}{% static_fragment PORTAL_NAME %}"
    "{% translate 'Home' %} {{ PORTAL_NAME }} {% url 'home' %} {{ other }}{% endstatic_fragment %}"
)


def render(**context):
    return TEMPLATE.render(Context(context))


def test_rendered_once_per_language_and_variable_value():
    with translation.override("fr"):
        first = render(PORTAL_NAME="Chorus Pro", other="one")
        assert first == "Accueil Chorus Pro /fr/ one"
        # What the tag does not name is not looked at again: it must not be inside a fragment.
        assert render(PORTAL_NAME="Chorus Pro", other="two") == first
        assert render(PORTAL_NAME="Portail", other="two") == "Accueil Portail /fr/ two"
    with translation.override("en"):
        assert render(PORTAL_NAME="Chorus Pro", other="three") == "Home Chorus Pro /en/ three"


def test_forgotten_when_a_setting_changes(settings):
    with translation.override("en"):
        assert render(PORTAL_NAME="Chorus Pro", other="one").endswith(" one")
        settings.PORTAL_ENVIRONMENT = "qualification"
        assert render(PORTAL_NAME="Chorus Pro", other="two").endswith(" two")


def test_the_layout_is_the_same_on_every_request(client):
    first, second = client.get("/fr/").content.decode(), client.get("/fr/").content.decode()
    strip = re.compile(r'(nonce="|csrfmiddlewaretoken" value=")[^"]+').sub
    assert strip(r"\1", first) == strip(r"\1", second)
    assert "Accès rapide" in first and 'id="footer"' in first
