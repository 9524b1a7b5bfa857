"""The DSFR table frame, written once for every table of the portal.

    {% load portal_tables %}
    {% dsfr_table caption=_("Pending requests") %}
      <thead>…</thead>
      <tbody>…</tbody>
    {% enddsfr_table %}

writes the DSFR 1.1x scaffolding around the table (``fr-table`` > wrapper > container > content > ``<table>``) with
its caption. ``hide_caption=True`` keeps the caption for screen readers only (``fr-table--no-caption``), for a
table whose section heading already says what it is."""

from django import template
from django.template.base import token_kwargs
from django.utils.html import conditional_escape, format_html

register = template.Library()


class DsfrTableNode(template.Node):
    def __init__(self, nodelist, caption, hide_caption):
        self.nodelist, self.caption, self.hide_caption = nodelist, caption, hide_caption

    def render(self, context):
        hide_caption = self.hide_caption and self.hide_caption.resolve(context)
        return format_html(
            '<div class="fr-table{}"><div class="fr-table__wrapper"><div class="fr-table__container">'
            '<div class="fr-table__content"><table><caption>{}</caption>{}</table></div></div></div></div>',
            " fr-table--no-caption" if hide_caption else "",
            conditional_escape(self.caption.resolve(context)),
            self.nodelist.render(context),
        )


@register.tag
def dsfr_table(parser, token):
    bits = token.split_contents()
    kwargs = token_kwargs(bits[1:], parser)
    if "caption" not in kwargs or len(kwargs) != len(bits) - 1 or set(kwargs) - {"caption", "hide_caption"}:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes caption=… and an optional hide_caption=True, as keyword arguments only."
        )
    nodelist = parser.parse(("enddsfr_table",))
    parser.delete_first_token()
    return DsfrTableNode(nodelist, kwargs["caption"], kwargs.get("hide_caption"))
