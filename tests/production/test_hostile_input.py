"""Hostile input posted to every form that exists (the other forms join with one `assert_form_survives` call)."""

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.hostile import CORPUS, IDENTIFIER_NEAR_MISSES, LONG, assert_form_survives


def test_the_corpus_is_large_and_covers_every_family():
    assert len(CORPUS) >= 300
    assert len(set(CORPUS)) == len(CORPUS)
    assert all(len(entry) == 10_000 for entry in LONG)
    assert any("\x00" in entry for entry in CORPUS)
    assert len(IDENTIFIER_NEAR_MISSES) >= 40


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_login_form_survives_hostile_input(client, lang):
    UserFactory(email="fournisseur@example.fr")
    assert_form_survives(
        client,
        f"/{lang}/login/",
        {"username": "fournisseur@example.fr", "password": DEFAULT_PASSWORD + "-wrong"},
        ["username", "password"],
    )


@pytest.mark.urls("tests.production.careless_urls")
def test_the_harness_catches_unescaped_echo_lost_values_and_server_errors(client):
    client.raise_request_exception = False
    with pytest.raises(AssertionError) as failure:
        assert_form_survives(
            client,
            "/fr/careless/",
            {"name": "Dupont", "city": "Paris"},
            ["name", "city"],
            corpus=["<script>alert(1)</script>", "ab\x00cd", "Zoë"],
        )
    report = str(failure.value)
    assert "echoed unescaped" in report
    assert "field 'city' shows ''" in report
    assert "HTTP 500" in report


@pytest.mark.urls("tests.production.careless_urls")
def test_the_harness_passes_a_careful_form_with_text_choices_and_checkboxes(client):
    assert_form_survives(
        client,
        "/fr/careful/",
        {"name": "Dupont", "note": "Livraison\nau 2e étage", "country": "BE", "consent": "on"},
        ["name", "note", "country", "consent"],
        corpus=CORPUS[::4],
    )
