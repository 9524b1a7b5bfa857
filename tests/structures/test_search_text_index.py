import pytest
from django.db import connection

from structures.models import Structure
from structures.selectors import structures_public_search
from tests.factories import StructureFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL only"
)


def test_the_public_search_uses_the_trigram_index_of_search_text():
    """Migration 0006: every word typed is a `search_text LIKE '%word%'` the trigram index answers
    (bench/directory.py measures it over 1,000,000 structures)."""
    structure = StructureFactory(corporate_name="Mairie de Quimper", city="QUIMPER", is_private=False)
    StructureFactory(corporate_name="Mairie de Brest", city="BREST", is_private=False)
    queryset = structures_public_search(query="MAIRIE quimpér")
    assert list(queryset) == [structure]
    (status_index,) = [
        index.name for index in Structure._meta.indexes if index.fields == ["status", "is_private"]
    ]
    with connection.cursor() as cursor:
        # On a tiny table any plan is cheap: leave the planner only bitmap scans (which need an index condition),
        # and not the status index nor the public postal code index (dropped inside the test's transaction),
        # which a tiny table makes as good.
        cursor.execute(f'DROP INDEX "{status_index}"')
        cursor.execute('DROP INDEX "structure_public_postal_code"')
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
    assert "structure_search_text_trgm" in queryset.explain()
