import copy
from functools import cache

from django import forms
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.renderers import TemplatesSetting
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, escape, strip_spaces_between_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language, gettext
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.templatetags.dsfr_tags import dsfr_mark_optionnal_fields
from dsfr.utils import dsfr_input_class_attr

from chorus_portal.markup_cache import MarkupCache, url_context

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


# django-simple-captcha's own message, translated by its catalogue (not ours: a variable, so not extracted).
_CAPTCHA_AUDIO_TITLE = "Play CAPTCHA as audio file"


def _captcha(context):
    """django-simple-captcha's captcha/widgets/captcha.html: the image (in a link to the audio version when there
    is one), then its two inputs, each part in {% spaceless %}. None when a sub-widget is not a plain input."""
    subwidgets = context["widget"].get("subwidgets", ())
    if any(widget["template_name"] not in _INPUTS for widget in subwidgets):
        return None
    # A variable missing from the context (a sub-widget rendered alone) writes nothing, as in the template.
    image = f'<img src="{_text(context.get("image", ""))}" alt="captcha" class="captcha" />'
    if context.get("audio"):
        title = _text(gettext(_CAPTCHA_AUDIO_TITLE))
        image = f'<a title="{title}" href="{_text(context["audio"])}">{image}</a>'
    inputs = "".join(_input(widget) for widget in subwidgets)
    return f"{image}\n{strip_spaces_between_tags(inputs)}"


_INPUTS = {name for name, write in _WIDGETS.items() if write is _input}


def _options_known(widget, known):
    return all(
        option["template_name"] in known for _, options, _ in widget["optgroups"] for option in options
    )


class PortalFormRenderer(TemplatesSetting):
    """The project's templates (settings.TEMPLATES, like FORM_RENDERER), with Django's plain widgets written
    directly (see above)."""

    def render(self, template_name, context, request=None):
        group = _FIELD_GROUPS.get(template_name)
        if group is not None:
            return group(context)
        if template_name == "captcha/widgets/captcha.html":
            markup = _captcha(context)
            if markup is not None:
                return mark_safe(markup)  # noqa: S308 (every value above is escaped)
        write = _WIDGETS.get(template_name)
        if write is not None and (
            write not in _WITH_OPTIONS or _options_known(context["widget"], _WITH_OPTIONS[write])
        ):
            return mark_safe(write(context["widget"]))  # noqa: S308 (every value above is escaped)
        return super().render(template_name, context, request)


PORTAL_FORM_RENDERER = PortalFormRenderer()


class FixedOptionsSelect(forms.Select):
    """A ``<select>`` whose options are a fixed list of the code (countries, secret questions, identifier types),
    whose labels depend only on the language. Its markup is rendered once per process for each language, name,
    selected value and set of attributes, then reused: Django builds a dictionary per option and the renderer writes
    each one on every display (the ~40 countries of signup step 2: ~1 ms). Not for choices read from the database,
    whose labels may change while their values stay."""

    _rendered = MarkupCache(size=2_000)

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        key = (
            get_language(),
            id(renderer),
            name,
            tuple(self.format_value(value)),
            tuple(sorted(final_attrs.items())),
            tuple(choice for choice, _ in self.choices),
        )
        try:
            return self._rendered.get(key, lambda: forms.Select.render(self, name, value, attrs, renderer))
        except TypeError:  # an attribute whose value cannot be a key (a list...): rendered as any select
            return super().render(name, value, attrs, renderer)


class FixedChoiceField(forms.ChoiceField):
    """A choice among a fixed list of the code, shown with a FixedOptionsSelect. Django deep-copies each field of a
    form for every form instance, a choice field's list included, item by item (the ~40 countries: ~0.25 ms per
    form); this field's list, which nothing changes in place, is shared by the instances instead. A form that
    needs another list assigns ``choices``, which replaces the list of its own instance only."""

    widget = FixedOptionsSelect

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


# --- Field groups and forms -------------------------------------------------------------------------
# django-dsfr's field templates, leaner: what their template tags and filters compute (the group's class, the
# required marker, the widget's DSFR class and error attributes) is prepared once in PortalBoundField.get_context.
# The portal's renderer writes those lean templates (templates/forms/) and django-dsfr's form template in Python,
# text for text (tests/test_form_rendering.py compares them with django-dsfr's and Django's templates on every
# form of the portal); the templates stay the reference of the markup and serve any other renderer.
_FIELD_TEMPLATES = {
    "dsfr/form_field_snippets/input_snippet.html": "forms/input.html",
    "dsfr/form_field_snippets/checkbox_snippet.html": "forms/checkbox.html",
    "dsfr/form_field_snippets/checkboxselectmultiple_snippet.html": "forms/checkboxes.html",
    "dsfr/form_field_snippets/radioselect_snippet.html": "forms/radios.html",
}
FORM_TEMPLATE = "dsfr/form_snippet.html"


def _label_and_help(field, marker, help_id):
    """The label, the required marker and the hint of a field group (the same lines in the four templates)."""
    help_text = (
        f'\n      <span class="fr-hint-text" id="{help_id}_helptext">{field.help_text}</span>\n    '
        if field.help_text
        else ""
    )
    return f"\n    \n    {_text(field.label)}{_text(marker)}\n    {help_text}\n    \n"


def _errors(field, errors, div_class=""):
    return (
        f'\n    <div{div_class} id="{_text(field.auto_id)}-desc-error">\n      {errors}\n    </div>\n  '
        if errors
        else ""
    )


def _input_group(context):
    """templates/forms/input.html."""
    field, group_class = context["field"], context["group_class"]
    errors, group = field.errors, _text(group_class)
    css_class = (
        group
        + (f" {group}--error" if errors else "")
        + (" fr-input-group--disabled" if field.field.disabled else "")
    )
    label_for = _text(field.id_for_label)
    return (
        f'<div class="{css_class}">\n  <label for="{label_for}" class="fr-label">'
        f"{_label_and_help(field, context['required_marker'], label_for)}  </label>\n  {field}\n  "
        f"{_errors(field, errors)}\n</div>"
    )


def _checkbox_group(context):
    """templates/forms/checkbox.html."""
    field = context["field"]
    errors = field.errors
    css_class = (" fr-checkbox-group--error" if errors else "") + (
        " fr-input-group--disabled" if field.field.disabled else ""
    )
    return (
        f'<div class="fr-checkbox-group{css_class} fr-mb-2w">\n  {field}\n  '
        f'<label for="{_text(field.id_for_label)}" class="fr-label">'
        f"{_label_and_help(field, context['required_marker'], _text(field.auto_id))}  </label>\n  "
        f"{_errors(field, errors)}\n</div>"
    )


def _fieldset(context, *, kind, extra_class, labelled_by_error, errors_class):
    """templates/forms/checkboxes.html and radios.html."""
    field = context["field"]
    errors, auto_id = field.errors, _text(field.auto_id)
    inline = " fr-fieldset__element--inline" if getattr(field.field.widget, "inline", False) else ""
    options = "".join(
        f'\n      <div class="fr-fieldset__element{inline}">\n        {subwidget}\n      </div>\n    '
        for subwidget in field.subwidgets
    )
    return (
        f'<fieldset class="fr-fieldset{" fr-fieldset--error" if errors else ""}{extra_class}"\n'
        f'          id="{kind}-{auto_id}"\n'
        f'          aria-labelledby="{auto_id}-legend{f" {auto_id}-{labelled_by_error}" if errors else ""}">\n'
        f'  <legend class="fr-fieldset__legend fr-fieldset__legend--regular"\n          id="{auto_id}-legend">'
        f"{_label_and_help(field, context['required_marker'], auto_id)}  </legend>\n  \n    {options}\n  \n  "
        f"{_errors(field, errors, errors_class)}\n</fieldset>"
    )


def _checkboxes_group(context):
    return _fieldset(
        context, kind="checkboxes", extra_class=" fr-fieldsets", labelled_by_error="messages", errors_class=""
    )


def _radios_group(context):
    return _fieldset(
        context,
        kind="radio",
        extra_class="",
        labelled_by_error="desc-error",
        errors_class=' class="fr-messages-group"',
    )


_FIELD_GROUPS = {
    "forms/input.html": _input_group,
    "forms/checkbox.html": _checkbox_group,
    "forms/checkboxes.html": _checkboxes_group,
    "forms/radios.html": _radios_group,
}


def _form(form):
    """django-dsfr's dsfr/form_snippet.html."""
    parts = []
    non_field_errors = form.non_field_errors()
    if non_field_errors:
        parts.append(
            '\n  <section class="fr-my-4v fr-input-group fr-input-group--error">\n    '
            f"{non_field_errors}\n  </section>\n"
        )
    parts.append("\n")
    for field in form:
        parts.append(f"\n  \n    {field.as_hidden() if field.is_hidden else field.as_field_group()}\n  \n")
    return "".join(parts).strip()


# --- Field groups rendered once -----------------------------------------------------------------------
# A field group without errors whose widget is a single input or a fixed list is the same markup for every
# visitor but for the value typed or shown: its label, hint, required marker, ids and attributes depend only on
# the form, the field and the language. So it is rendered once per process for each of those (with a stand-in
# for the value) and the value, escaped, is put in its place on each display. The key holds everything the
# markup depends on, read from the field as it is at display time: a form that changes a label, a hint, a
# widget attribute or the required flag for one visitor gets its own markup. Anything else (errors, selects and
# choices read from the database, several widgets, a hidden initial value) is rendered as before.
_GROUPS = MarkupCache(size=5_000)
# The value's stand-in: a private-use character, which escaping leaves as it is and no label or hint contains.
_STAND_IN = "\ue000"
_STAND_IN_WIDGETS = {forms.TextInput, forms.EmailInput, forms.PasswordInput, forms.NumberInput}
# Checkboxes and radio buttons kept with their options' values and labels and the values ticked in the key.
_OPTION_WIDGETS = {forms.CheckboxSelectMultiple, forms.RadioSelect}


def _listed_options(widget):
    """A choice widget's options as a key (value, label), when they are a flat list in memory (not a queryset's
    iterator, which would read the database, nor groups); else None."""
    choices = widget.choices
    if type(choices) is not list or any(isinstance(label, list | tuple) for _, label in choices):
        return None
    return tuple((value, str(label)) for value, label in choices)


class PortalBoundField(DsfrBoundField):
    _value_stand_in = None

    @property
    def template_name(self):
        name = super().template_name
        return _FIELD_TEMPLATES.get(name, name)

    def value(self):
        if self._value_stand_in is not None:
            return self._value_stand_in
        return super().value()

    def as_field_group(self):
        kept = self._group_parts()
        if kept is None:
            return super().as_field_group()
        (before, *after), value = kept
        if not after:
            return before
        return mark_safe(f"{before}{_formatted(value)}{after[0]}")  # noqa: S308 (escaped value)

    def _group_parts(self):
        """The group's markup from the cache, split where the value goes (one part when it shows no value), and the
        value to put there; or None when this group is not one that can be kept."""
        field, widget, form = self.field, self.field.widget, self.form
        kind = type(widget)
        options = _listed_options(widget) if kind in _OPTION_WIDGETS else None
        if (
            form.renderer is not PORTAL_FORM_RENDERER
            or not (
                kind in _STAND_IN_WIDGETS
                or kind is forms.CheckboxInput
                or kind is FixedOptionsSelect
                or options is not None
            )
            or field.show_hidden_initial
            # A field that names its own template (else these widgets take forms/input.html or forms/checkbox.html).
            or field.template_name
            or getattr(type(field), "template_name", None)
            or (form.is_bound and self.name in form.errors)
        ):
            return None
        value = self.value()
        formatted = widget.format_value(value)
        if kind is forms.CheckboxInput:
            if formatted is not None:  # a checkbox with a value attribute: not one of the portal's
                return None
            state = widget.check_test(value)
        elif kind is FixedOptionsSelect or options is not None:
            state, formatted = tuple(formatted), None  # one markup per selected value(s)
        else:
            state = formatted is None
        key = (
            type(form),
            form.prefix,
            form.auto_id,
            form.use_required_attribute,
            self.html_name,
            get_language(),
            kind,
            getattr(widget, "input_type", None),
            getattr(widget, "render_value", None),
            getattr(widget, "group_class", None),
            tuple(sorted(widget.attrs.items())),
            tuple(choice for choice, _ in widget.choices) if kind is FixedOptionsSelect else options,
            self._text_key(self.label, "label"),
            self._text_key(self.help_text, "help_text"),
            field.required,
            field.disabled,
            state,
        )
        try:
            parts = _GROUPS.get(key, lambda: self._render_parts(stand_in=formatted is not None))
        except TypeError:  # an attribute whose value cannot be a key (a list...)
            return None
        return (parts, formatted) if len(parts) <= 2 else None

    def _text_key(self, text, attribute):
        """A label or a hint as part of a key: the text itself, or, when it is the one the form class declares (a
        translatable text that the class keeps for the life of the process), its identity, which costs no
        translation (the language is part of the key)."""
        declared = type(self.form).base_fields.get(self.name)
        if declared is not None and text is getattr(declared, attribute):
            return id(text)
        return str(text)

    def _render_parts(self, *, stand_in):
        if not stand_in:
            return (super().as_field_group(),)
        self._value_stand_in = _STAND_IN
        try:
            return tuple(mark_safe(part) for part in super().as_field_group().split(_STAND_IN))  # noqa: S308
        finally:
            del self._value_stand_in

    def get_context(self):
        if self.template_name not in _FIELD_TEMPLATES.values():
            return super().get_context()
        dsfr_input_class_attr(self)
        return {
            "field": self,
            "group_class": getattr(self.field.widget, "group_class", "") or "fr-input-group",
            "required_marker": dsfr_mark_optionnal_fields(self),
        }


# --- Fields copied for each form ---------------------------------------------------------------------
# Every form instance deep-copies its class's fields (Django's BaseForm: ``copy.deepcopy(self.base_fields)``), so
# that a form may change its own. For a field and a widget that keep Django's own ``__deepcopy__`` (most of them:
# text, email, password, checkbox inputs), that copy is a shallow copy of each with their own attributes,
# error messages and validators; copy's generic machinery (``__reduce_ex__``) makes it ~15 µs a field: 0.3 ms for
# the 21 fields of signup step 2. ``_FieldsTemplate`` does the same copy directly; any other field (choices,
# several widgets) is deep-copied as Django does.
_FIELD_DEEPCOPY, _WIDGET_DEEPCOPY = forms.Field.__deepcopy__, forms.Widget.__deepcopy__


@cache
def _copied_as_a_plain_object(cls):
    """Whether ``copy.copy`` makes an instance of ``cls`` as a new object with the same ``__dict__``."""
    return (
        cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and cls.__getstate__ is object.__getstate__
        and not hasattr(cls, "__copy__")
        and not hasattr(cls, "__slots__")
    )


def _shallow(obj):
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _field_copy(field, memo):
    """``copy.deepcopy(field, memo)``: Field.__deepcopy__ and Widget.__deepcopy__'s work, written out."""
    field_class, widget = type(field), field.widget
    widget_class = type(widget)
    if not (
        field_class.__deepcopy__ is _FIELD_DEEPCOPY
        and widget_class.__deepcopy__ is _WIDGET_DEEPCOPY
        and _copied_as_a_plain_object(field_class)
        and _copied_as_a_plain_object(widget_class)
        and id(field) not in memo
        and id(widget) not in memo
    ):
        return copy.deepcopy(field, memo)
    result = memo[id(field)] = _shallow(field)
    new_widget = memo[id(widget)] = _shallow(widget)
    new_widget.attrs = widget.attrs.copy()
    result.widget = new_widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    return result


class _FieldsTemplate(dict):
    """A portal form class's fields, as each of its forms copies them."""

    def __deepcopy__(self, memo):
        fields = memo[id(self)] = {}
        for name, field in self.items():
            fields[name] = _field_copy(field, memo)
        return fields


# PortalForm.base_fields_without: (form class, names left out) -> the fields to copy.
_SHAPES = {}


class PortalFormMetaclass(DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = _FieldsTemplate(new_class.base_fields)
        return new_class


class PortalForm(DsfrBaseForm, metaclass=PortalFormMetaclass):
    """Base of the portal's forms: DSFR markup, required fields marked with "*" as in the official guides,
    and the first field in error focused so that keyboard and screen-reader users land on it."""

    default_renderer = PORTAL_FORM_RENDERER
    bound_field_class = PortalBoundField

    @classmethod
    def base_fields_without(cls, names):
        """The class's fields but ``names``, kept per class, for a form of one shape that leaves some fields out:
        set as ``self.base_fields`` before ``__init__``, whose copy then skips them (rather than copying fields to
        delete them)."""
        key = (cls, frozenset(names))
        fields = _SHAPES.get(key)
        if fields is None:
            fields = _SHAPES[key] = _FieldsTemplate(
                {name: field for name, field in cls.base_fields.items() if name not in names}
            )
        return fields

    def get_context(self):
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = False
        return context

    def render(self, template_name=None, context=None, renderer=None):
        if (
            template_name is None
            and context is None
            and (renderer or self.renderer) is PORTAL_FORM_RENDERER
            and self.template_name == FORM_TEMPLATE
        ):
            return mark_safe(_form(self))  # noqa: S308 (every part is escaped or already safe HTML)
        return super().render(template_name, context, renderer)

    __str__ = render
    __html__ = render

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            first = next((name for name in self._errors if name in self.fields), None)
            if first:
                self.fields[first].widget.attrs["autofocus"] = ""


# --- Whole forms rendered once --------------------------------------------------------------------------
# A page that shows a new, unbound form whose markup holds nothing of the visitor (a login box, Mon Compte's
# password form) or only a value among a few (the secret question chosen) need not build the form to show it:
# the markup is kept per form class, language, URL context and those values. A form with errors (a POST that
# failed) is built and rendered as usual.
_UNBOUND_FORMS = MarkupCache(size=500)


def unbound_form_markup(form_class, build, *, shows=()):
    """The markup of the unbound ``form_class`` that ``build()`` returns, rendered the first time and then kept for
    each language, script prefix, URLconf and value of ``shows`` (a tuple of what the form shows of the visitor:
    every one of them, or the markup of one visitor would be shown to another)."""
    return _UNBOUND_FORMS.get((form_class, *url_context(), shows), lambda: build().render())
