import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

# The public search (structures.selectors.structures_public_search), measured by bench/directory.py over 1,000,000
# structures:
# - structure_public_postal_code (both databases, declared on the model): a bare postal code reads the public
#   structures of that code in the order of the pages (ten index entries for the first page).
# - structure_public_name (SQLite only): SQLite has no trigram index, so a word is looked for in every row it reads.
#   This index is partial to the structures the search shows (a tenth of them), in the order of its pages, and
#   holds `search_text` and the columns of the filter: SQLite reads the index alone, looks for the words in it, and
#   fetches a table row only for a match; it stops at the tenth match for the first page, at the 1,001st for the
#   capped count (0.3 s → 1 to 20 ms a query over 1,000,000 structures). PostgreSQL finds the rows through its
#   trigram index (0007) instead: given a name index, its planner would walk it in name order hoping to meet ten
#   matches early, which is a gamble when the words are correlated with the names (a city is in many names).
PUBLIC_NAME_INDEX = "structure_public_name"
PUBLIC_SEARCH = Q(is_private=False, status="ACTIVE") & ~Q(moderation="SUSPENDED")


def public_name_index():
    from django.db.models.functions import Lower

    return models.Index(
        Lower("corporate_name"),
        "id",
        "search_text",
        "is_private",
        "status",
        "moderation",
        name=PUBLIC_NAME_INDEX,
        condition=PUBLIC_SEARCH,
    )


def create_public_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.add_index(apps.get_model("structures", "Structure"), public_name_index())
        # SQLite's planner weighs the indexes by their statistics: without them it keeps the status index.
        schema_editor.execute("ANALYZE structures_structure")


def drop_public_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{PUBLIC_NAME_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0008_structure_workspaces"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="structure",
            index=models.Index(
                models.F("postal_code"),
                django.db.models.functions.text.Lower("corporate_name"),
                models.F("id"),
                condition=PUBLIC_SEARCH,
                name="structure_public_postal_code",
            ),
        ),
        migrations.RunPython(create_public_name_index, drop_public_name_index),
    ]
