"""``{% static_fragment VAR ... %}…{% endstatic_fragment %}``: markup rendered once per process.

The parts of the layout that depend only on the code, the settings and the language (the DSFR stylesheets and
favicons, the skip links, the brand of the header, the footer) are the same on every page: rendering them is pure
template work (a dozen ``{% translate %}``, ``{% url %}`` and ``{% static %}`` per page). So are the fixed texts of
some pages (the password rules and the complexity meter's, the explanations of signup step 3). Wrapped in this tag
they are rendered the first time and then reused, for each active language, script prefix and value of the
variables named in the tag (e.g. ``PORTAL_NAME``). What is inside must depend on nothing else: no user, no request,
no CSRF token, no nonce. Kept in process memory like the cached template loader's templates (a function of the
deployment, not state: every process computes the same markup), forgotten when a setting changes (tests).
"""

import itertools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_FRAGMENTS: dict[tuple, str] = {}
_MAX_FRAGMENTS = 1000  # a few fragments x languages in production; templates re-parsed in development
# Each parsed tag gets its own number: a template parsed again (changed in development) never reuses old markup.
_numbers = itertools.count()


@receiver(setting_changed)
def _fragments_forget(**kwargs):
    _FRAGMENTS.clear()


class StaticFragmentNode(template.Node):
    def __init__(self, nodelist, variables):
        self.nodelist = nodelist
        self.variables = variables
        self.number = next(_numbers)

    def render(self, context):
        key = (
            self.number,
            get_language(),
            get_script_prefix(),
            *(str(variable.resolve(context)) for variable in self.variables),
        )
        markup = _FRAGMENTS.get(key)
        if markup is None:
            if len(_FRAGMENTS) >= _MAX_FRAGMENTS:
                _FRAGMENTS.clear()
            markup = _FRAGMENTS[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered markup)
        return markup


@register.tag
def static_fragment(parser, token):
    variables = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endstatic_fragment",))
    parser.delete_first_token()
    return StaticFragmentNode(nodelist, variables)
