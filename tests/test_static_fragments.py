"""``{% static_fragment %}`` (chorus_portal/templatetags/portal_fragments.py): the layout's markup that depends only
on the settings and the language, rendered once per process."""

import re

from django.template import Context, Template
from django.utils import translation
from django.utils.csp import LazyNonce

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


def test_the_dsfr_scripts_are_django_dsfrs_with_each_requests_nonce_once_generated(settings):
    kept = Template("{% load portal_fragments %}{% portal_dsfr_js csp_nonce %}")
    library = Template("{% load dsfr_tags %}{% dsfr_js nonce=csp_nonce %}")

    def both():
        nonce = LazyNonce()
        before = (kept.render(Context({"csp_nonce": nonce})), library.render(Context({"csp_nonce": nonce})))
        str(nonce)  # generated (django-dsfr writes it only then)
        after = (kept.render(Context({"csp_nonce": nonce})), library.render(Context({"csp_nonce": nonce})))
        return before, after, str(nonce)

    for _ in range(2):
        (kept_before, library_before), (kept_after, library_after), nonce = both()
        assert kept_before == library_before and "nonce" not in kept_before
        assert kept_after == library_after and kept_after.count(f'nonce="{nonce}"') == 2
    settings.DSFR_USE_INTEGRITY_CHECKSUMS = False
    (kept_before, library_before), (kept_after, library_after), _ = both()
    assert kept_before == library_before and kept_after == library_after and "integrity" not in kept_after
