"""``{% static_fragment VAR ... %}…{% endstatic_fragment %}``: markup rendered once per process.

The parts of the layout that depend only on the code, the settings and the language (the DSFR stylesheets and
favicons, the skip links, the brand of the header, the footer) are the same on every page: rendering them is pure
template work (a dozen ``{% translate %}``, ``{% url %}`` and ``{% static %}`` per page). So are the fixed texts of
some pages (the password rules and the complexity meter's, the explanations of signup step 3). Wrapped in this tag
they are rendered the first time and then reused, for each active language, script prefix, URLconf and value of the
variables named in the tag (e.g. ``PORTAL_NAME``). What is inside must depend on nothing else: no user, no request,
no CSRF token, no nonce. Kept in process memory (chorus_portal.markup_cache).
"""

import itertools

from django import template
from django.utils.safestring import mark_safe

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
