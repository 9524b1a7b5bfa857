"""The DSFR table frame of ``{% dsfr_table %}`` (chorus_portal/templatetags/portal_tables.py)."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation


def render(source, **context):
    return Template("{% load portal_tables %}" + source).render(Context(context))


def test_the_frame_caption_and_content():
    html = render('{% dsfr_table caption=_("Services") %}<tbody><tr><td>{{ cell }}</td></tr></tbody>{% enddsfr_table %}',
                  cell="<b>")  # fmt: skip
    assert html == (
        '<div class="fr-table"><div class="fr-table__wrapper"><div class="fr-table__container">'
        '<div class="fr-table__content"><table><caption>Services</caption>'
        "<tbody><tr><td>&lt;b&gt;</td></tr></tbody></table></div></div></div></div>"
    )


def test_the_caption_is_translated_and_escaped():
    with translation.override("fr"):
        assert "<caption>Services</caption>" in render(
            '{% dsfr_table caption=_("Services") %}{% enddsfr_table %}'
        )
        assert "<caption>Mes espaces de travail</caption>" in render(
            '{% dsfr_table caption=_("My working areas") %}{% enddsfr_table %}'
        )
    assert "<caption>A &amp; B &lt;i&gt;</caption>" in render(
        "{% dsfr_table caption=name %}{% enddsfr_table %}", name="A & B <i>"
    )


def test_hide_caption_keeps_it_for_screen_readers():
    html = render('{% dsfr_table caption=_("Services") hide_caption=True %}{% enddsfr_table %}')
    assert html.startswith('<div class="fr-table fr-table--no-caption">')
    assert "<caption>Services</caption>" in html


@pytest.mark.parametrize(
    "tag",
    ["{% dsfr_table %}", '{% dsfr_table "Services" %}', '{% dsfr_table caption="A" colour="red" %}'],
)
def test_wrong_arguments_say_how_to_call_it(tag):
    with pytest.raises(TemplateSyntaxError, match="caption="):
        render(tag + "{% enddsfr_table %}")
