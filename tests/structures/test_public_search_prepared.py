"""The public search page reads its count and its page through prepared reads (structures.selectors
.PublicSearchResults): the structures, their order and the count must be those of the ORM's queryset
(``structures_public_search``, which the CSV export and the index tests use), for every kind of search. Run on SQLite
and on PostgreSQL by `make test`."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from structures.models import Structure
from structures.selectors import (
    PublicSearchResults,
    structures_public_search,
    structures_public_search_results,
)
from structures.views import PublicSearchPaginator
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

QUERIES = [
    "mairie",  # one word
    "MAIRIE quimpér",  # two words, accents and case
    "ville de quimper",  # a short word beside longer ones
    "de",  # only a short word
    "29000",  # a bare postal code
    "2900",  # four digits: a word
    "quimper 29000",  # a postal code among words
    "l'aÿ",
    "50%_x\\",  # LIKE's special characters, taken literally
    "!!!",  # no word at all: every public structure
    "nothing-like-it",
]


@pytest.fixture
def directory():
    names = [
        ("MAIRIE DE QUIMPER", "QUIMPER", "29000"),
        ("Mairie de Brest", "BREST", "29200"),
        ("VILLE DE QUIMPER", "QUIMPER", "29000"),
        ("Quimper Bretagne Occidentale", "QUIMPER", "29000"),
        ("Boulangerie de l'Aÿ", "AY", "51160"),
        ("ACME 50%_X\\ SARL", "PARIS", "75012"),
        ("acme", "PARIS", "75012"),
        ("Zénith de Paris", "PARIS", "75019"),
    ]
    for name, city, postal_code in names:
        StructureFactory(corporate_name=name, city=city, postal_code=postal_code, is_private=False)
    StructureFactory(corporate_name="MAIRIE PRIVEE", city="QUIMPER", postal_code="29000", is_private=True)
    StructureFactory(
        corporate_name="MAIRIE FERMEE",
        city="QUIMPER",
        postal_code="29000",
        is_private=False,
        status=Structure.Status.INACTIVE,
    )


@pytest.mark.parametrize("query", QUERIES)
def test_the_prepared_search_finds_what_the_orm_finds_in_the_same_order(directory, query):
    expected = list(structures_public_search(query=query))
    assert (len(expected) > 0) is (query != "nothing-like-it")
    assert not any(structure.corporate_name in ("MAIRIE PRIVEE", "MAIRIE FERMEE") for structure in expected)
    results = structures_public_search_results(query=query)
    assert results.count_up_to(100) == len(expected)
    assert results[0:100] == expected
    for start in range(0, len(expected) + 2, 3):
        assert results[start : start + 3] == expected[start : start + 3]
    assert results.count_up_to(2) == min(len(expected), 2)  # the database stops counting there


def test_each_shape_of_search_is_compiled_once_then_takes_new_words(directory):
    PublicSearchResults._reads.clear()
    for query in ["mairie", "quimper", "brest", "ville de quimper", "mairie de brest", "29000", "29200"]:
        assert structures_public_search_results(query=query)[0:10] == list(
            structures_public_search(query=query)
        )
    assert set(PublicSearchResults._reads) == {("p",), ("p", "p", "s"), ("postal_code",)}


def test_the_search_page_counts_and_reads_a_page_in_two_statements(client, directory, monkeypatch):
    monkeypatch.setattr(PublicSearchPaginator, "cap", 2)
    url = reverse("structure_search")
    client.get(url, {"q": "quimper"})  # compiled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "quimper"})
    page = html.unescape(response.text)
    statements = [q["sql"] for q in queries.captured_queries if "structures_structure" in q["sql"]]
    assert len(statements) == 2
    assert "Plus de 2 structures trouvées" in page
    assert page.index("MAIRIE DE QUIMPER") < page.index("Quimper Bretagne Occidentale")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "nothing-like-it"})
    assert "0 structure trouvée" in html.unescape(response.text)
    assert (
        len([q for q in queries.captured_queries if "structures_structure" in q["sql"]]) == 1
    )  # the count only
    response = client.get(reverse("structure_search"), {"q": "zénith", "page": "2"})
    assert response.status_code == 200 and "Zénith de Paris" in html.unescape(response.text)
