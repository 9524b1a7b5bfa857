"""PostgreSQL prepares the statements the pages send often (DATABASE_PREPARED_STATEMENTS, on by default), so it
no longer parses and plans them on every page; a deployment behind a pooler that cannot keep them turns it off."""

import json
import subprocess
import sys

import pytest
from django.db import connection

from structures.models import Event
from structures.services import event_record
from tests.factories import UserFactory
from tests.production.stack import BASE_DIR, production_env, requires_postgres


def _database_options(**overrides):
    script = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:5432/chorus", **overrides)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "chorus_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_on_by_default_and_off_when_asked():
    assert _database_options() == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DATABASE_PREPARED_STATEMENTS="0") == {}


@requires_postgres
@pytest.mark.parametrize("page", ["/fr/structures/recherche/?q=mairie", "/en/structures/recherche/?q=75001"])
def test_a_page_shown_several_times_runs_statements_postgresql_has_prepared(client, page):
    for _ in range(6):
        assert client.get(page).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('FROM "structures_structure"' in statement for statement in prepared), prepared


@requires_postgres
def test_the_event_feed_is_planned_once_not_on_every_display_of_the_connected_home(client):
    """PostgreSQL keeps a prepared statement's generic plan only when it costs no more than the plans made for the
    values; an OFFSET parameter made the feed's join look dearer, so it was planned again on every display."""
    user = UserFactory()
    for _ in range(3):
        event_record(user=user, kind=Event.Kind.ACCOUNT_CREATED)
    client.force_login(user)
    # psycopg prepares a statement at its sixth run; PostgreSQL plans it for the values five more times.
    for _ in range(14):
        assert "Your user account was created." in client.get("/en/").text
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "structures_event"."id"%'],
        )
        [(generic_plans, custom_plans)] = cursor.fetchall()
    assert generic_plans >= 2, (generic_plans, custom_plans)
