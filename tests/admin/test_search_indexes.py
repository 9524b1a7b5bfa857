import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL only"
)


def test_the_admin_searches_have_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "structure_identifier_trgm",
        "structure_corporate_name_trgm",
        "structure_city_trgm",
        "user_email_trgm",
        "user_last_name_trgm",
        "user_first_name_trgm",
    }
    # The indexed expression is the one Django writes for icontains on PostgreSQL.
    assert "gin (upper((corporate_name)::text) gin_trgm_ops)" in indexes["structure_corporate_name_trgm"]
