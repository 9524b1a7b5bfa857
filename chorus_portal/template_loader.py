"""The portal's template loader: Django's cached loader, which also renders the fixed runs of each template once.

A page is mostly fixed markup: text, ``{% translate "…" %}``, ``{% url 'name' %}`` without arguments,
``{% static '…' %}``. Django renders each of those nodes again on every request (a translation costs some thirty
Python calls, a URL some eighty), though their output depends only on the code, the settings and the language.

When a template is compiled, this loader replaces every run of such nodes, in the template and in the blocks,
conditions and loops inside it, by one ``FixedRunNode`` (or one text node when the run is only text). That node
renders its nodes the first time, then reuses the markup for the same language (and, for a run with URLs or static
files, the same script prefix, URLconf and autoescaping). Nothing that depends on the request, the user or the
context is ever part of a run: variables, the CSRF token, tags with arguments or ``as``, and namespaced URLs
(which depend on the current application) are rendered as before. The markup is kept in process memory
(``chorus_portal.markup_cache``), like ``{% static_fragment %}``'s: each process computes the same.

Settings: ``TEMPLATES[0]["OPTIONS"]["loaders"]`` names this loader around Django's filesystem and app-directories
loaders. A template changed in development is compiled again (the cached loader's autoreload), with new runs.
"""

import itertools

from django.template.base import Node, NodeList, TextNode, Variable
from django.template.defaulttags import CommentNode, IfNode, LoadNode, URLNode
from django.template.loaders import base, cached
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.utils.translation import get_language

from chorus_portal.markup_cache import MarkupCache, url_context

# Some thousand runs in the portal's and the admin's templates, for each language.
_RUNS = MarkupCache(size=20000)
# Each run gets its own number: a template compiled again (changed in development) never reuses old markup.
_numbers = itertools.count()


def _is_literal(expression):
    """Whether a tag's argument is a quoted string with no filter (what the parser gives for ``'name'``)."""
    return not expression.filters and isinstance(expression.var, str) and not expression.is_var


def _is_fixed(node):
    """Whether ``node``'s output depends only on the language, the script prefix, the URLconf and autoescaping."""
    kind = type(node)
    if kind in (TextNode, LoadNode, CommentNode):
        return True
    if kind is TranslateNode:
        expression = node.filter_expression
        return (
            node.asvar is None
            and node.message_context is None
            and not expression.filters
            and isinstance(expression.var, Variable)
            and expression.var.literal is not None
        )
    if kind is URLNode:
        return (
            not node.args
            and not node.kwargs
            and node.asvar is None
            and _is_literal(node.view_name)
            and ":" not in node.view_name.var
        )
    if kind is StaticNode:
        return node.varname is None and _is_literal(node.path)
    return False


class FixedRunNode(Node):
    """Consecutive fixed nodes of a template, rendered once per language (and, when they hold URLs or static
    files, per script prefix, URLconf and autoescaping: translations of a literal are safe strings)."""

    child_nodelists = ()

    def __init__(self, nodes):
        self.nodelist = NodeList(nodes)
        self.number = next(_numbers)
        self.token, self.origin = nodes[0].token, getattr(nodes[0], "origin", None)
        self.has_urls = any(type(node) in (URLNode, StaticNode) for node in nodes)

    def __repr__(self):
        return f"<{type(self).__name__}: {len(self.nodelist)} nodes>"

    def render(self, context):
        if self.has_urls:
            key = (self.number, *url_context(), context.autoescape)
        else:
            key = (self.number, get_language())
        return _RUNS.get(key, lambda: self.nodelist.render(context))

    # Rendered without Node.render_annotated's frame: the first rendering is its nodes' own render_annotated,
    # which annotate an error with the node that raised it.
    render_annotated = render


def _child_nodelists(node):
    """The node lists inside ``node`` that it renders: its own ``child_nodelists`` attributes (a block's, a loop's,
    a ``{% with %}``'s…) and the branches of an ``{% if %}`` (whose ``nodelist`` is a copy)."""
    if type(node) is IfNode:
        return [nodelist for _, nodelist in node.conditions_nodelists]
    lists = (vars(node).get(name) for name in node.child_nodelists)
    return [nodelist for nodelist in lists if isinstance(nodelist, NodeList)]


_SILENT = (TextNode, LoadNode, CommentNode)  # their output is their text, or nothing


def merge_fixed_runs(nodelist):
    """Replace, in place, each run of fixed nodes of ``nodelist`` and of the node lists inside it by a
    ``FixedRunNode``, or by one ``TextNode`` when the run holds only text, ``{% load %}`` and comments."""
    merged, run = [], []

    def close_run():
        if all(type(node) in _SILENT for node in run):
            text = "".join(node.s for node in run if type(node) is TextNode)
            if text:
                merged.append(TextNode(text) if len(run) > 1 else run[0])
        else:
            merged.append(FixedRunNode(run))
        run.clear()

    for node in nodelist:
        if _is_fixed(node):
            run.append(node)
            continue
        close_run()
        for inner in _child_nodelists(node):
            merge_fixed_runs(inner)
        merged.append(node)
    close_run()
    nodelist[:] = merged


class _MergingLoader(base.Loader):
    """Between the cached loader and the template it compiles: the runs are merged before it is cached."""

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        merge_fixed_runs(template.nodelist)
        return template


class Loader(cached.Loader, _MergingLoader):
    """Django's cached loader (``cached.Loader.get_template`` calls ``_MergingLoader.get_template`` to compile a
    template it has not cached yet)."""
