from django.db import migrations
from django.db.models import Q

# The public structure search (structures.selectors.structures_public_search) looks for every word typed inside
# `search_text`, the accent- and case-free copy of the name, label, identifier, postal code and city: a
# `search_text LIKE '%word%'` per word, among the public, active, unsuspended structures. A trigram index on that
# column, partial to exactly those structures (a tenth of them), answers these "contains" lookups over 1,000,000
# structures without reading the table, even for a word found in many rows (a postal code, a city): measured by
# bench/directory.py (an index on every structure still left 50,000 rows to read for "75012"). PostgreSQL only, as
# in 0005. The predicate is written as the selector's filter so that the planner can prove it.
SEARCH_TEXT_INDEX = "structure_search_text_trgm"
PUBLIC_SEARCH = Q(is_private=False, status="ACTIVE") & ~Q(moderation="SUSPENDED")


def create_search_text_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex, OpClass

    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.add_index(
        apps.get_model("structures", "Structure"),
        GinIndex(OpClass("search_text", name="gin_trgm_ops"), name=SEARCH_TEXT_INDEX, condition=PUBLIC_SEARCH),
    )


def drop_search_text_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{SEARCH_TEXT_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("structures", "0006_admin_history_and_sirene_refresh")]

    operations = [migrations.RunPython(create_search_text_index, drop_search_text_index)]
