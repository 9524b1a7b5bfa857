"""Trigram indexes for the admin's case-insensitive searches of users (email, names), PostgreSQL only.

Django writes ``email__icontains`` on PostgreSQL as UPPER(email::text) LIKE UPPER('%term%'): these GIN indexes on
the same expressions answer it without reading the whole table. SQLite (the embedded default) gets none.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "user_email_trgm": "email",
    "user_last_name_trgm": "last_name",
    "user_first_name_trgm": "first_name",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "accounts_user" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_groups")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
