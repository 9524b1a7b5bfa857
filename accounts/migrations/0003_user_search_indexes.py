"""Trigram indexes for the admin's searches of users, PostgreSQL only.

- the login email alone: the structures' search looks for their primary manager by email
  (Django writes ``email__icontains`` as UPPER(email::text) LIKE UPPER('%term%'), the expression indexed here);
- one text made of the email, name and first name (accounts.admin.USER_SEARCH_TEXT, the same expression): the
  users' search looks for every word typed in it.
SQLite (the embedded default) gets none.
"""

from django.db import migrations

SEARCH_INDEX = "user_search_trgm"
EMAIL_INDEX = "user_email_trgm"


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex, OpClass
    from django.db.models import Value
    from django.db.models.functions import Concat, Upper

    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{EMAIL_INDEX}" ON "accounts_user" USING gin ((UPPER("email"::text)) gin_trgm_ops)'
    )
    text = Upper(Concat("email", Value(" "), "last_name", Value(" "), "first_name"))
    schema_editor.add_index(
        apps.get_model("accounts", "User"), GinIndex(OpClass(text, name="gin_trgm_ops"), name=SEARCH_INDEX)
    )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in (SEARCH_INDEX, EMAIL_INDEX):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_groups")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
