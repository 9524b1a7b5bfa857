"""``{% static_fragment VAR ... %}…{% endstatic_fragment %}``: markup rendered once per process.

The parts of the layout that depend only on the code, the settings and the language (the DSFR stylesheets and
favicons, the skip links, the brand of the header, the footer) are the same on every page: rendering them is pure
template work (a dozen ``{% translate %}``, ``{% url %}`` and ``{% static %}`` per page). So are the fixed texts of
some pages (the password rules and the complexity meter's, the explanations of signup step 3). Wrapped in this tag
they are rendered the first time and then reused, for each active language, script prefix, URLconf and value of the
variables named in the tag (e.g. ``PORTAL_NAME``; its text, ``str()``, is the key). What is inside must depend on
nothing else: no request, no CSRF token, no nonce, nothing of the user but the variables named. A variable may name
a list the fragment shows (the connected home's open workspaces, whose text holds every code and label) or a
version of it (the news of the home pages, ``news.version``). Kept in process memory (chorus_portal.markup_cache).

``{% portal_dsfr_js csp_nonce %}``: django-dsfr's script tags, kept the same way with a stand-in for the request's
nonce.
"""

import itertools

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from dsfr.templatetags import dsfr_tags

from chorus_portal.markup_cache import MarkupCache, url_context

register = template.Library()

# A few fragments x languages in production; more in development, where changed templates are parsed again.
_FRAGMENTS = MarkupCache(size=1000)
# Each parsed tag gets its own number: a template parsed again (changed in development) never reuses old markup.
_numbers = itertools.count()


class StaticFragmentNode(template.Node):
    def __init__(self, nodelist, variables):
        self.nodelist = nodelist
        self.variables = variables
        self.number = next(_numbers)

    def render(self, context):
        key = (
            self.number,
            *url_context(),
            *(str(variable.resolve(context)) for variable in self.variables),
        )
        return _FRAGMENTS.get(key, lambda: mark_safe(self.nodelist.render(context)))  # noqa: S308 (rendered markup)


@register.tag
def static_fragment(parser, token):
    variables = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endstatic_fragment",))
    parser.delete_first_token()
    return StaticFragmentNode(nodelist, variables)


# The request's CSP nonce in kept markup: a private-use character, which escaping leaves as it is.
_NONCE_STAND_IN = "\ue001"


@register.simple_tag
def portal_dsfr_js(nonce):
    """django-dsfr's ``{% dsfr_js nonce=… %}`` (its two script tags), rendered once per URL context, whether the
    nonce was generated yet (django-dsfr writes it only then) and the settings, with a stand-in where each page puts
    its nonce."""
    with_nonce = bool(nonce)

    def render():
        tag_data = dsfr_tags.dsfr_js(None, nonce=_NONCE_STAND_IN if with_nonce else None)
        return tuple(render_to_string("dsfr/global_js.html", tag_data).split(_NONCE_STAND_IN))

    parts = _FRAGMENTS.get(("dsfr_js", *url_context(), with_nonce), render)
    return mark_safe(escape(nonce).join(parts) if with_nonce else parts[0])  # noqa: S308 (escaped nonce)
