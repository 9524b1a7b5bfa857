import contextlib
import datetime
import functools
import html

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import _boolean_icon, _coerce_field_name
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    get_fields_from_path,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext


class YesNoFilter(admin.SimpleListFilter):
    """A list filter with two choices, "yes" keeping the rows that meet ``condition()`` and "no" the others.

    Subclasses give ``title``, ``parameter_name``, ``yes_label``, ``no_label`` and ``condition()`` (a Q object or
    an Exists expression)."""

    yes_label = no_label = None

    def condition(self):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", self.yes_label), ("no", self.no_label)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition())
        if self.value() == "no":
            return queryset.filter(~self.condition())
        return queryset


def _attrs_html(attrs):
    """What django/forms/widgets/attrs.html writes."""
    html_attrs = []
    for name, value in attrs.items():
        if value is False:
            continue
        html_attrs.append(
            f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_format_s(value)}"'
        )
    return "".join(html_attrs)


def _format_s(value):
    """``{{ value|stringformat:'s' }}``."""
    return str(value) if isinstance(value, SafeString) else html.escape("%s" % value)  # noqa: UP031


class ActionSelect(forms.Select):
    """The action's select, written as django/forms/widgets/select.html and select_option.html write it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escaped(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{_format_s(option["value"])}"{_attrs_html(option["attrs"])}>'
                    f"{_escaped(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")  # (the form renderer strips the template's output)
        return SafeString("".join(parts))


class ActionHiddenInput(forms.HiddenInput):
    """The "select across" field, written as django/forms/widgets/hidden.html writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = "" if widget["value"] is None else f' value="{_format_s(widget["value"])}"'
        return SafeString(
            f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"{value}'
            f"{_attrs_html(widget['attrs'])}>"
        )


class ActionForm(helpers.ActionForm):
    """Django's action form, its two fields written directly (the same HTML: through the form renderer's templates
    they were ~1.5 ms of a change list page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form's own copies of Django's widgets (choices, attributes kept), written by the subclasses.
        self.fields["action"].widget.__class__ = ActionSelect
        self.fields["select_across"].widget.__class__ = ActionHiddenInput


class FastChangeListMixin:
    """The rows of a change list written directly, the same HTML as Django's: rendering them was most of the time
    of a page of 50 structures (bench/directory.py, bench/admin_profile.py).

    - The rows (``FastChangeList.result_rows``, through the ``fast_result_list`` tag of
      ``admin/fast_change_list.html``): what each column needs is looked up once per page, not once per cell
      (Django's ``items_for_result`` runs ``lookup_field``, ``display_for_field`` and ``format_html`` per cell).
    - The row checkbox, as Django's CheckboxInput renders it (through the widget template, ~0.2 ms a row).
    - The row links with the list's filters kept (``?_changelist_filters=…``, to come back to the same list):
      Django adds them with ``add_preserved_filters``, which resolves each link's URL to find out whether it is the
      change list's own (never, for a row): two URL resolutions a row through every pattern of the portal. The
      change URL is reversed once per page, the row's primary key put in it.
    - The first page's rows read before the count, which a list that fits on its page does without
      (``FastChangeList.get_results``).
    - The action form (``ActionForm``) and the list filters (``fast_list_filter``) written directly.

    tests/admin/test_change_list_rendering.py compares whole change list pages with Django's own rendering."""

    change_list_template = "admin/fast_change_list.html"
    action_form = ActionForm

    def action_checkbox(self, obj):
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_changelist(self, request, **kwargs):
        return FastChangeList


class _DateFormatter:
    """``django.utils.dateformat.format(value, format)`` with the format parsed once (Django parses it at every
    value: most of the ~20 µs of a date cell)."""

    def __init__(self, date_format):
        self.pieces = [
            (True, piece) if index % 2 else (False, dateformat.re_escaped.sub(r"\1", piece))
            for index, piece in enumerate(dateformat.re_formatchars.split(str(date_format)))
            if index % 2 or piece
        ]

    def __call__(self, value):
        formatter = dateformat.DateFormat(value)
        return "".join(str(getattr(formatter, piece)()) if code else piece for code, piece in self.pieces)


def _escaped(value):
    """``conditional_escape`` as a plain ``str``."""
    return str(conditional_escape(value))


class FastChangeList(ChangeList):
    """A change list whose rows are written by ``result_rows`` and whose row links carry the preserved filters
    themselves (see FastChangeListMixin)."""

    URL_PK = "8410392765"  # in the change URL reversed once, replaced by each row's primary key

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the row links read cl.preserved_filters (the page's own links take them from the view's context).
        self.row_links_query, self.preserved_filters = self.preserved_filters, ""

    def get_results(self, request):
        """Django's, but on the first page the page's rows are read first, one more than the page holds: when they
        all fit (a search for a number, a name: most searches), their number is the count and no count runs;
        otherwise the capped count runs and the rows already read are the page's (Django reads them again)."""
        if (
            self.page_num != 1
            or self.show_all
            or self.model_admin.show_full_result_count
            or self.list_editable
        ):
            return super().get_results(request)  # (an editable list's formset wants a queryset of the page)
        rows = list(self.queryset[: self.list_per_page + 1])
        if len(rows) <= self.list_per_page:
            paginator = self.model_admin.get_paginator(request, rows, self.list_per_page)
        else:
            paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
            rows = rows[: self.list_per_page]
        self.result_count = paginator.count
        self.show_full_result_count = False
        self.show_admin_actions = True  # entries are not counted in full (Django: shown then)
        self.full_result_count = None
        self.result_list = rows
        self.can_show_all = self.result_count <= self.list_max_show_all
        self.multi_page = self.result_count > self.list_per_page
        self.paginator = paginator

    def url_for_result(self, result):
        # Asked once per link column of the row: written once.
        if getattr(self, "_row_link", (None, None))[0] is not result:
            pk = getattr(result, self.pk_attname)
            parts = self._change_url_parts if type(pk) is int else None
            url = f"{parts[0]}{pk}{parts[1]}" if parts else super().url_for_result(result)
            self._row_link = (result, f"{url}?{self.row_links_query}" if self.row_links_query else url)
        return self._row_link[1]

    @cached_property
    def _change_url_parts(self):
        """The change URL before and after the primary key, for integer keys (which neither the admin's ``quote``
        nor ``reverse`` change)."""
        url = ChangeList.url_for_result(self, self.model(**{self.pk_attname: int(self.URL_PK)}))
        parts = url.split(self.URL_PK)
        return parts if len(parts) == 2 else None

    def result_rows(self):
        """The HTML of each row's cells (what Django's ``items_for_result`` yields, joined), or None where Django's
        own rendering is kept: editable lists and popups."""
        if self.formset is not None or self.is_popup or self.to_field:
            return None
        columns = self._columns()
        rows = []
        for result in self.result_list:
            cells = []
            for write, name, classes, link_tag in columns:
                try:
                    text, row_classes = write(result)
                except ObjectDoesNotExist:  # a related object gone (Django: the admin's empty value)
                    text, classes = self._empty, f"field-{name}"
                else:
                    classes = classes or row_classes  # None: the cell's classes depend on its value
                if link_tag is None:
                    cells.append(f'<td class="{classes}">{text}</td>')
                    continue
                try:
                    url = self.url_for_result(result)
                except NoReverseMatch:
                    pass
                else:
                    text = f'<a href="{html.escape(url)}">{text}</a>'
                cells.append(f'<{link_tag} class="{classes}">{text}</{link_tag}>')
            rows.append(SafeString("".join(cells)))
        return rows

    def _columns(self):
        """(write, name, classes, link tag) for each column: ``write(result)`` gives the cell's escaped text and
        classes; ``classes`` is None where they depend on the value; the link tag (th or td) is None without a
        link. The same decisions as Django's ``items_for_result``, taken once."""
        self._empty = _escaped(self.model_admin.get_empty_value_display())
        columns = []
        first = True
        for index, field_name in enumerate(self.list_display):
            name = _coerce_field_name(field_name, index)
            if self.list_display_links is None:
                link = False
            else:
                link = (first and not self.list_display_links) or field_name in self.list_display_links
            link_tag = None
            if link:
                link_tag, first = ("th" if first else "td"), False
            write, classes = self._column(field_name, name, link)
            columns.append((write, name, classes, link_tag))
        return columns

    def _column(self, field_name, name, link):
        """(write, classes) for one column."""
        opts, model_admin, empty = self.lookup_opts, self.model_admin, self._empty
        classes = f"field-{name}"
        try:
            field = _get_non_gfk_field(opts, field_name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is not None and not field.auto_created:
            return self._field_column(field, field_name, classes, link)
        if field is None and callable(field_name):
            attr = field_name
        elif field is None and hasattr(model_admin, field_name) and field_name != "__str__":
            attr = getattr(model_admin, field_name)
        else:  # a model's attribute or property, a lookup through relations, an automatic field: Django's way
            return functools.partial(self._generic_cell, field_name, classes, link), None

        # A callable or a method of the admin: its value, shown as Django's display_for_value shows it.
        empty = _escaped(getattr(attr, "empty_value_display", model_admin.get_empty_value_display()))
        if field_name == "action_checkbox":
            classes = "action-checkbox"
            if getattr(attr, "__func__", None) is FastChangeListMixin.action_checkbox:
                return self._checkbox_writer(classes), classes
        if getattr(attr, "boolean", False):
            icons = {value: _escaped(_boolean_icon(value)) for value in (True, False, None)}

            def write(result):
                value = attr(result)
                if value is True or value is False or value is None:
                    return icons[value], classes
                return _escaped(display_for_value(value, empty, True)), classes

            return write, classes

        def write(result):
            value = attr(result)
            if isinstance(value, SafeString):
                return (str(value) if value != "" else empty), classes
            if type(value) is str:
                value = value.strip()
                return (html.escape(value) if value else empty), classes
            if isinstance(value, (datetime.date, datetime.time)):
                return _escaped(display_for_value(value, empty)), f"{classes} nowrap"
            return _escaped(display_for_value(value, empty)), classes

        return write, None

    def _checkbox_writer(self, classes):
        """FastChangeListMixin.action_checkbox with its label translated once a page."""
        label = gettext("Select this object for an action - {}")
        start = f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="'

        def write(result):
            return (
                f'{start}{html.escape(str(result.pk))}" class="action-select" '
                f'aria-label="{label.format(html.escape(str(result)))}">'
            ), classes

        return write

    def _field_column(self, field, field_name, classes, link):
        """(write, classes) for a column showing a model's field."""
        empty, attname = self._empty, field_name
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes = f"{classes} nowrap"
        if isinstance(field.remote_field, models.ManyToOneRel):

            def write(result):
                value = getattr(result, attname)
                return (empty if value is None else _escaped(value)), classes

            return write, classes

        password = field.name == "password"
        choices = None if password else getattr(field, "flatchoices", None)
        if choices:
            try:
                labels = {value: _escaped(label) for value, label in choices}
            except TypeError:  # list-like choices
                labels = None
            if labels is not None:

                def write(result):
                    value = getattr(result, attname)
                    try:
                        return labels.get(value, empty), classes
                    except TypeError:
                        return _escaped(display_for_field(value, field, empty, avoid_link=link)), classes

                return write, classes
        elif not password and isinstance(field, models.BooleanField):
            icons = {value: _escaped(_boolean_icon(value)) for value in (True, False, None)}

            def write(result):
                value = getattr(result, attname)
                if value is True or value is False or value is None:
                    return icons[value], classes
                return _escaped(display_for_field(value, field, empty, avoid_link=link)), classes

            return write, classes
        elif (
            not password
            and isinstance(field, (models.CharField, models.TextField))
            and not isinstance(field, models.URLField)
        ):
            empty_values = field.empty_values

            def write(result):
                value = getattr(result, attname)
                if value in empty_values:
                    return empty, classes
                if type(value) is str:
                    value = value.strip()
                    return (html.escape(value) if value else empty), classes
                return _escaped(display_for_field(value, field, empty, avoid_link=link)), classes

            return write, classes

        if isinstance(field, models.DateTimeField) and settings.USE_TZ:
            # formats.localize(timezone.template_localtime(value)), the format and the time zone looked up once.
            datetime_format, zone = (
                _DateFormatter(get_format("DATETIME_FORMAT")),
                timezone.get_current_timezone(),
            )

            def write(result):
                value = getattr(result, attname)
                if (
                    isinstance(value, datetime.datetime)
                    and not timezone.is_naive(value)
                    and getattr(value, "convert_to_local_time", True)
                ):
                    return html.escape(datetime_format(value.astimezone(zone))), classes
                return _escaped(display_for_field(value, field, empty, avoid_link=link)), classes

            return write, classes

        def write(result):  # dates and the rest: Django's display_for_field
            return _escaped(
                display_for_field(getattr(result, attname), field, empty, avoid_link=link)
            ), classes

        return write, classes

    def _generic_cell(self, field_name, classes, link, result):
        """One cell as Django's ``items_for_result`` writes it (the columns without a shortcut)."""
        row_classes = [classes]
        f, attr, value = lookup_field(field_name, result, self.model_admin)
        empty_value_display = getattr(attr, "empty_value_display", self.model_admin.get_empty_value_display())
        if f is None and isinstance(field_name, str) and LOOKUP_SEP in field_name:
            with contextlib.suppress(FieldDoesNotExist):
                f = get_fields_from_path(self.model, field_name)[-1]
        if f is None or f.auto_created:
            if field_name == "action_checkbox":
                row_classes = ["action-checkbox"]
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            result_repr = display_for_value(value, empty_value_display, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                row_classes.append("nowrap")
        else:
            if isinstance(f.remote_field, models.ManyToOneRel):
                result_repr = empty_value_display if value is None else value
            else:
                result_repr = display_for_field(value, f, empty_value_display, avoid_link=link)
            if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                row_classes.append("nowrap")
        return _escaped(result_repr), " ".join(row_classes)
