"""The large change lists (structures, users, attachment requests, events, moderation history) count at most
``CappedCountPaginator.cap`` rows and say "more than N" beyond it, in French and in English."""

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from chorus_portal.pagination import CappedCountPaginator
from structures.models import (
    AttachmentRequest,
    Establishment,
    Event,
    LegalUnit,
    ModerationAction,
    Structure,
)
from tests.factories import StructureFactory, UserFactory


@pytest.fixture
def cap_of_three(monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)


def changelist(client, name, lang="fr", **params):
    with translation.override(lang):
        url = reverse(f"admin:{name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, queries


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "Plus de 3 structures : affinez la liste par la recherche ou les filtres pour voir au-delà."),
        ("en", "More than 3 structures: narrow the list with the search or the filters to see further."),
    ],
)
def test_the_structures_list_says_more_than_the_cap(moderator_client, cap_of_three, monkeypatch, lang, text):
    monkeypatch.setattr(site._registry[Structure], "list_per_page", 2)  # a full page: the count runs
    StructureFactory.create_batch(5)
    response, queries = changelist(moderator_client, "structures_structure", lang)
    assert response.context["cl"].result_count == 3
    assert text in response.content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # At most cap + 1 rows read, in no order, without the primary manager's subquery of the displayed rows.
    assert len(counts) == 1 and "LIMIT 4" in counts[0] and "ORDER BY" not in counts[0].upper()
    assert "email" not in counts[0]


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fr", "Plus de 3 résultats"), ("en", "More than 3 results")],
)
def test_a_search_beyond_the_cap_says_more_than(moderator_client, cap_of_three, lang, text):
    for number in range(5):
        StructureFactory(corporate_name=f"BOULANGERIE {number}")
    StructureFactory(corporate_name="GARAGE")
    response, _ = changelist(moderator_client, "structures_structure", lang, q="boulangerie")
    assert text in response.content.decode()
    assert "GARAGE" not in response.content.decode()


def test_under_the_cap_the_count_is_exact(moderator_client, cap_of_three):
    StructureFactory.create_batch(3)
    response, _ = changelist(moderator_client, "structures_structure")
    page = response.content.decode()
    assert "3 structures" in page and "Plus de" not in page


def test_pages_up_to_the_cap_stay_reachable(moderator_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 4)
    monkeypatch.setattr(site._registry[Structure], "list_per_page", 2)
    structures = StructureFactory.create_batch(7)
    newest_first = [s.pk for s in reversed(structures)]
    first, _ = changelist(moderator_client, "structures_structure")
    second, _ = changelist(moderator_client, "structures_structure", p=2)
    assert [s.pk for s in first.context["cl"].result_list] == newest_first[:2]
    assert [s.pk for s in second.context["cl"].result_list] == newest_first[2:4]
    assert "Plus de 4 structures" in second.content.decode()
    # Beyond the cap: Django's own answer to a page out of range (back to the first page with an error flag).
    beyond = moderator_client.get(reverse("admin:structures_structure_changelist"), {"p": 3})
    assert beyond.status_code == 302


def test_only_indexed_columns_are_sortable(moderator_client):
    StructureFactory()
    page = changelist(moderator_client, "structures_structure")[0].content.decode()
    assert "sortable column-corporate_name" in page and "sortable column-created_at" in page
    assert "sortable column-city" not in page and "sortable column-identifier " not in page


def test_users_and_attachment_requests_are_capped(moderator_client, cap_of_three):
    UserFactory.create_batch(5)
    response, _ = changelist(moderator_client, "accounts_user")
    assert response.context["cl"].result_count == 3
    assert "Plus de 3 utilisateurs" in response.content.decode()
    for _ in range(5):
        AttachmentRequest.objects.create(user=UserFactory(), structure=StructureFactory())
    response, _ = changelist(moderator_client, "structures_attachmentrequest")
    assert response.context["cl"].result_count == 3
    assert "Plus de 3 demandes de rattachement" in response.content.decode()


def test_every_large_list_has_the_capped_paginator():
    for model in (Structure, User, AttachmentRequest, Event, ModerationAction, Establishment, LegalUnit):
        assert site._registry[model].paginator is CappedCountPaginator, model


def test_a_list_that_fits_on_its_page_is_not_counted(moderator_client, monkeypatch):
    """The first page's rows are read with one more than the page holds: when they fit, their number is the
    count (no count query); when they do not, the capped count runs and the page's rows are not read again."""
    monkeypatch.setattr(site._registry[Structure], "list_per_page", 3)
    for name in ["ALPHA", "BRAVO", "CHARLIE", "DELTA"]:
        StructureFactory(corporate_name=f"BOULANGERIE {name}")
    response, queries = changelist(moderator_client, "structures_structure", q="boulangerie bravo")
    structures = [q["sql"] for q in queries.captured_queries if '"structures_structure"' in q["sql"]]
    assert response.context["cl"].result_count == 1 and "1 résultat" in response.content.decode()
    assert len(structures) == 1 and "LIMIT 4" in structures[0]
    response, queries = changelist(moderator_client, "structures_structure", q="boulangerie")
    structures = [q["sql"] for q in queries.captured_queries if '"structures_structure"' in q["sql"]]
    assert [structure.corporate_name for structure in response.context["cl"].result_list] == [
        "BOULANGERIE DELTA",
        "BOULANGERIE CHARLIE",
        "BOULANGERIE BRAVO",
    ]
    assert response.context["cl"].result_count == 4 and response.context["cl"].multi_page
    assert len(structures) == 2 and "LIMIT 4" in structures[0] and "COUNT(" in structures[1]
    # The next pages are Django's: their count, then their rows.
    response, queries = changelist(moderator_client, "structures_structure", q="boulangerie", p=2)
    assert [structure.corporate_name for structure in response.context["cl"].result_list] == [
        "BOULANGERIE ALPHA"
    ]
