"""The header's link to the same page in the other language (its path is translated once per process)."""

import re

import pytest


def _other_language_link(response):
    return re.search(
        r'<a class="fr-btn fr-icon-translate-2" href="([^"]*)" hreflang="(\w+)"', response.text
    ).groups()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/fr/", ("/en/", "en")),
        ("/en/", ("/fr/", "fr")),
        ("/fr/structures/recherche/?q=lille&page=2", ("/en/structures/recherche/?q=lille&amp;page=2", "en")),
        ("/en/structures/recherche/?q=%3Cb%3E", ("/fr/structures/recherche/?q=%3Cb%3E", "fr")),
        ("/fr/login/", ("/en/login/", "en")),
        ("/fr/login/?next=/fr/mon-compte/", ("/en/login/?next=/fr/mon-compte/", "en")),
    ],
)
def test_link_to_the_same_page_in_the_other_language(client, path, expected):
    # Twice: the second answer comes from the per-process cache of translated paths.
    for _ in range(2):
        assert _other_language_link(client.get(path)) == expected


def test_another_urlconf_is_not_answered_from_the_cache(client, settings):
    assert _other_language_link(client.get("/fr/login/")) == ("/en/login/", "en")
    settings.ROOT_URLCONF = "tests.language_links_urls"
    assert _other_language_link(client.get("/fr/login/")) == ("/fr/login/", "en")
