"""Every page of the portal, logged out and logged in, in French and in English: ids are unique, every label and ARIA
reference points at an element of the page, and the page lives under the strict Content-Security-Policy.

A duplicate id sends a click on a label, or a screen reader's description, to another form's field; axe's
duplicate-id rules are retired, so this is checked here on the server-rendered HTML."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from tests.connected.conftest import login
from tests.production.csp import assert_csp_strict

ANONYMOUS_PAGES = [
    ("home", {}),
    ("login", {}),
    ("signup", {}),
    ("account_create", {}),
    ("password_reset", {}),
    ("activation_link_request", {}),
    ("structure_search", {}),
]
CONNECTED_PAGES = [
    ("home", {}),
    ("account", {}),
    ("attachment_search", {}),
    ("structure_create", {}),
    ("manager", {}),
    ("manager_structure", {"structure_id": "structure"}),
    ("manager_structure_edit", {"structure_id": "structure"}),
    ("workspace", {"code": "issued-invoices"}),
]


class _References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = Counter()
        self.references = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.references.append(("label for", attrs["for"]))
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for target in (attrs.get(name) or "").split():
                self.references.append((name, target))


def assert_markup_sound(response):
    parser = _References()
    parser.feed(response.content.decode())
    duplicates = sorted(name for name, count in parser.ids.items() if count > 1)
    dangling = sorted({(kind, target) for kind, target in parser.references if target not in parser.ids})
    assert duplicates == [], f"ids used more than once: {duplicates}"
    assert dangling == [], f"references to no element: {dangling}"
    assert_csp_strict(response)


def url(name, kwargs, lang, structure=None):
    kwargs = {key: structure.pk if value == "structure" else value for key, value in kwargs.items()}
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("name", "kwargs"), ANONYMOUS_PAGES, ids=[name for name, _ in ANONYMOUS_PAGES])
def test_anonymous_pages(client, lang, name, kwargs):
    response = client.get(url(name, kwargs, lang))
    assert response.status_code == 200
    assert_markup_sound(response)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("name", "kwargs"), CONNECTED_PAGES, ids=[name for name, _ in CONNECTED_PAGES])
def test_connected_pages(client, manager_world, lang, name, kwargs):
    structure, manager = manager_world
    login(client, manager)
    response = client.get(url(name, kwargs, lang, structure))
    assert response.status_code == 200
    assert_markup_sound(response)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_account_page_with_errors_in_every_form(client, manager_world, lang):
    """Mon Compte after a refused password change: the page shows all its forms again, one with errors."""
    _, manager = manager_world
    login(client, manager)
    response = client.post(
        url("account_password", {}, lang),
        {"current_password": "wrong", "password1": "court", "password2": "autre"},
    )
    assert response.status_code == 400
    assert_markup_sound(response)
