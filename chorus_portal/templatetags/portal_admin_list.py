import threading
from collections import OrderedDict

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    admin_list_filter,
    result_headers,
    result_list,
)
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template import Context, Library
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language, gettext

register = Library()
_PLAIN = Context()  # how {{ value }} is written in a template rendered from a dict (autoescape, no overrides)
FILTER_TITLE = (
    " By %(filter_title)s "  # admin/filter.html's blocktranslate (Django's catalogue translates it)
)

_app_lists = OrderedDict()  # key -> HTML, the most recently used last
_app_lists_lock = threading.Lock()
APP_LISTS_KEPT = 256


def fast_result_list(cl):
    """Django's ``result_list`` with the rows written by the change list itself (chorus_portal.admin.FastChangeList:
    one string of cells a row, the same HTML), where it writes them."""
    rows = cl.result_rows() if hasattr(cl, "result_rows") else None
    if rows is None:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],  # only an editable list has some (Django's own rendering)
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": [ResultList(None, [row]) for row in rows],
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        "fast_result_list",
        parser,
        token,
        func=fast_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


def _app_list_key(app_list, path):
    """Everything Django's admin/app_list.html reads, as the navigation sidebar includes it."""
    return (
        get_language(),
        path,
        tuple(
            (
                app["app_label"],
                str(app["name"]),
                app["app_url"],
                tuple(
                    (
                        model["object_name"],
                        str(model["name"]),
                        model.get("admin_url"),
                        model.get("add_url"),
                        model.get("view_only"),
                    )
                    for model in app["models"]
                ),
            )
            for app in app_list
        ),
    )


@register.simple_tag(takes_context=True)
def nav_app_list(context, app_list):
    """``{% include 'admin/app_list.html' with app_list=available_apps show_changelinks=False %}`` of the admin's
    navigation sidebar (templates/admin/nav_sidebar.html), rendered once for each list of apps (what the user may
    see), page and language, then reused: it was ~1.5 ms of every admin page. The HTML is a function of the key
    alone (the template reads nothing else), so every web process writes the same."""
    request = context.get("request")
    key = _app_list_key(app_list, request.path if request is not None else None)
    with _app_lists_lock:
        html = _app_lists.get(key)
        if html is not None:
            _app_lists.move_to_end(key)
            return html
    html = get_template("admin/app_list.html").render(
        {"app_list": app_list, "show_changelinks": False, "request": request}
    )
    with _app_lists_lock:
        _app_lists[key] = html
        while len(_app_lists) > APP_LISTS_KEPT:
            _app_lists.popitem(last=False)
    return html


@register.simple_tag
def fast_list_filter(cl, spec):
    """Django's ``admin_list_filter`` (admin/filter.html rendered for one filter), written directly: the same HTML.
    A filter with its own template keeps Django's rendering."""
    if spec.template != "admin/filter.html":
        return admin_list_filter(cl, spec)
    title = render_value_in_context(spec.title, _PLAIN)
    parts = [
        f'\n<details data-filter-title="{title}" open>\n  <summary>\n    ',
        gettext(FILTER_TITLE) % {"filter_title": title},
        "\n  </summary>\n  <ul>\n  ",
    ]
    for choice in spec.choices(cl):
        query_string = choice["query_string"]
        href = iri_to_uri(str(query_string))
        href = href if isinstance(query_string, SafeData) else escape(href)  # {{ …|iriencode }}
        selected = ' class="selected"' if choice["selected"] else ""
        display = render_value_in_context(choice["display"], _PLAIN)
        parts.append(f'\n    <li{selected}>\n    <a href="{href}">{display}</a></li>\n  ')
    parts.append("\n  </ul>\n</details>\n")
    return SafeString("".join(parts))
