from django import forms
from django.forms.renderers import TemplatesSetting
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.templatetags.dsfr_tags import dsfr_mark_optionnal_fields
from dsfr.utils import dsfr_input_class_attr

# --- Widgets rendered without the template engine ---------------------------------------------------
# The DSFR field templates wrap Django's own widget templates (input, attrs, select, options). Those are a few
# lines of markup but cost the template engine dozens of node evaluations per field (the attrs loop alone, once
# per input and per option): most of a form page's time. The functions below write exactly what those templates
# write (tests/test_form_rendering.py compares both on every form of the portal); a widget whose template is not
# one of them goes through its template as usual. The renderer strips what a widget's template writes, not what
# its includes write: hence the "\n" after an included option.

_PLAIN = Context(autoescape=True)


def _text(value):
    """``{{ value }}``."""
    return render_value_in_context(value, _PLAIN)


def _formatted(value):
    """``{{ value|stringformat:'s' }}``."""
    return conditional_escape(value) if isinstance(value, SafeData) else escape(value)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """django/forms/widgets/input.html (and text, email, password, hidden, checkbox... which include it)."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select_option(option):
    """django/forms/widgets/select_option.html."""
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>'


def _input_option(option):
    """django/forms/widgets/input_option.html (checkbox_option.html and radio_option.html include it)."""
    if not option["wrap_label"]:
        return _input(option)
    label_for = f' for="{_text(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(option)}\n {_text(option['label'])}</label>"


# Option templates, and the line breaks that follow them when a widget's template includes them.
_SELECT_OPTIONS = {"django/forms/widgets/select_option.html": (_select_option, "\n")}
_INPUT_OPTIONS = {
    "django/forms/widgets/checkbox_option.html": (_input_option, "\n\n"),
    "django/forms/widgets/radio_option.html": (_input_option, "\n\n"),
    "django/forms/widgets/input_option.html": (_input_option, "\n"),
}


def _option(option, known):
    write, after = known[option["template_name"]]
    return write(option) + after


def _select(widget):
    """django/forms/widgets/select.html."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(f"\n  {_option(option, _SELECT_OPTIONS)}" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _multiple_input(widget):
    """django/forms/widgets/multiple_input.html (checkbox_select.html and radio.html include it)."""
    identifier, css_class = widget["attrs"].get("id"), widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{_text(identifier)}"' if identifier else "",
        f' class="{_text(css_class)}"' if css_class else "",
        ">",
    ]
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        parts.extend(f"<div>\n    {_option(option, _INPUT_OPTIONS)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _textarea(widget):
    """django/forms/widgets/textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


_WIDGETS = {
    **{
        f"django/forms/widgets/{name}.html": _input
        for name in (
            "input",
            "text",
            "email",
            "password",
            "hidden",
            "number",
            "url",
            "search",
            "tel",
            "checkbox",
        )
    },
    **{name: write for name, (write, _) in (_SELECT_OPTIONS | _INPUT_OPTIONS).items()},
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_select.html": _multiple_input,
    "django/forms/widgets/radio.html": _multiple_input,
    "django/forms/widgets/textarea.html": _textarea,
}
_WITH_OPTIONS = {_select: _SELECT_OPTIONS, _multiple_input: _INPUT_OPTIONS}


def _options_known(widget, known):
    return all(
        option["template_name"] in known for _, options, _ in widget["optgroups"] for option in options
    )


class PortalFormRenderer(TemplatesSetting):
    """The project's templates (settings.TEMPLATES, like FORM_RENDERER), with Django's plain widgets written
    directly (see above)."""

    def render(self, template_name, context, request=None):
        write = _WIDGETS.get(template_name)
        if write is not None and (
            write not in _WITH_OPTIONS or _options_known(context["widget"], _WITH_OPTIONS[write])
        ):
            return mark_safe(write(context["widget"]))  # noqa: S308 (every value above is escaped)
        return super().render(template_name, context, request)


PORTAL_FORM_RENDERER = PortalFormRenderer()


# --- Field groups -----------------------------------------------------------------------------------
# django-dsfr's field templates, leaner: what their template tags and filters compute (the group's class, the
# required marker, the widget's DSFR class and error attributes) is prepared here once.
_FIELD_TEMPLATES = {
    "dsfr/form_field_snippets/input_snippet.html": "forms/input.html",
    "dsfr/form_field_snippets/checkbox_snippet.html": "forms/checkbox.html",
    "dsfr/form_field_snippets/checkboxselectmultiple_snippet.html": "forms/checkboxes.html",
    "dsfr/form_field_snippets/radioselect_snippet.html": "forms/radios.html",
}


class PortalBoundField(DsfrBoundField):
    @property
    def template_name(self):
        name = super().template_name
        return _FIELD_TEMPLATES.get(name, name)

    def get_context(self):
        if self.template_name not in _FIELD_TEMPLATES.values():
            return super().get_context()
        dsfr_input_class_attr(self)
        return {
            "field": self,
            "group_class": getattr(self.field.widget, "group_class", "") or "fr-input-group",
            "required_marker": dsfr_mark_optionnal_fields(self),
        }


class PortalForm(DsfrBaseForm):
    """Base of the portal's forms: DSFR markup, required fields marked with "*" as in the official guides,
    and the first field in error focused so that keyboard and screen-reader users land on it."""

    default_renderer = PORTAL_FORM_RENDERER
    bound_field_class = PortalBoundField

    def get_context(self):
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = False
        return context

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            first = next((name for name in self._errors if name in self.fields), None)
            if first:
                self.fields[first].widget.attrs["autofocus"] = ""
