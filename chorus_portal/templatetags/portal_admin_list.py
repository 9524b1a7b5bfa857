from django.contrib.admin.templatetags.admin_list import ResultList, result_headers, result_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template import Library

register = Library()


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
