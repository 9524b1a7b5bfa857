"""The public search's indexes (structures migration 0008): the plans they give, on both databases (bench/directory.py measures them)."""

import pytest
from django.db import connection

from structures.selectors import structures_public_search
from tests.factories import StructureFactory


def plan(queryset):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a tiny table a sequential scan is as cheap as anything: leave the planner the indexes only, and
            # weigh a sort as on a large table (with a few rows, another index and a sort cost about the same).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        else:
            cursor.execute("ANALYZE structures_structure")  # as `PRAGMA optimize` would, with the new index
    return queryset.explain()


@pytest.fixture
def quimper():
    public = [
        StructureFactory(corporate_name=name, postal_code="29000", city="QUIMPER", is_private=False)
        for name in ("mairie de Quimper", "Lycée de Quimper", "CENTRE HOSPITALIER DE QUIMPER")
    ]
    StructureFactory(corporate_name="BOULANGERIE DE QUIMPER", postal_code="29000", city="QUIMPER")  # private
    StructureFactory(corporate_name="Mairie de Brest", postal_code="29200", city="BREST", is_private=False)
    StructureFactory(corporate_name="Mairie 29000", identifier="12329000000017", is_private=False)
    return public


def test_a_bare_postal_code_reads_the_postal_code_index_in_page_order(quimper):
    queryset = structures_public_search(query=" 29000 ")
    # Only the postal code: not the name nor the identifier that happen to contain the five digits.
    assert [s.corporate_name for s in queryset] == [
        "CENTRE HOSPITALIER DE QUIMPER",
        "Lycée de Quimper",
        "mairie de Quimper",
    ]
    explained = plan(structures_public_search(query="29000")[:10])
    assert "structure_public_postal_code" in explained
    assert "SORT" not in explained.upper().replace("SORTED", "")  # already in the order of the pages


def test_other_queries_still_look_in_every_word(quimper):
    assert {s.corporate_name for s in structures_public_search(query="2900")} == {
        "CENTRE HOSPITALIER DE QUIMPER",
        "Lycée de Quimper",
        "mairie de Quimper",
        "Mairie 29000",
    }
    assert len(structures_public_search(query="quimper 29000")) == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the public name index is SQLite's (0008)")
def test_sqlite_reads_the_public_structures_only_in_page_order(quimper):
    explained = plan(structures_public_search(query="quimper")[:10])
    assert "structure_public_name" in explained and "TEMP B-TREE" not in explained.upper()
