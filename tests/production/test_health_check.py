"""The health check of kept PostgreSQL connections (chorus_portal.postgresql): no round trip on a quiet connection,
Django's SELECT 1 when the server has said something, and a closed connection replaced. Read from PostgreSQL's own
view of the connection (pg_stat_activity), through a second connection, as an operator would."""

import select

import pytest
from django.db import connection

from tests.production.stack import operator_connection, requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def observer():
    with operator_connection() as admin:
        yield admin


def _last_statement(observer, pid):
    return observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def _new_request():
    """What Django does at the end of a request for a connection it keeps (close_if_unusable_or_obsolete, which
    would close it here: the tests do not keep connections): the next request checks it again."""
    connection.health_check_done = False
    assert connection.health_check_enabled


def _read(marker):
    with connection.cursor() as cursor:  # the request's first use of the connection runs the health check
        cursor.execute(f"SELECT '{marker}'")
        return cursor.fetchone()[0]


def test_a_quiet_connection_is_kept_without_a_round_trip(observer):
    _read("first request")
    pid = connection.connection.info.backend_pid
    _new_request()

    connection.close_if_health_check_failed()

    assert connection.health_check_done
    assert _last_statement(observer, pid) == "SELECT 'first request'"  # no SELECT 1 was sent
    assert _read("second request") == "second request"
    assert connection.connection.info.backend_pid == pid


def test_a_connection_the_server_spoke_on_gets_the_full_check_and_is_kept(observer):
    _read("first request")
    pid = connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("LISTEN portal_health_check")
    observer.execute("NOTIFY portal_health_check")  # something to read on the kept connection's socket
    # The server relays the notification on its own time: wait until it is there to read (at most 5 s).
    readable, _, _ = select.select([connection.connection.fileno()], [], [], 5)
    assert readable
    _new_request()

    connection.close_if_health_check_failed()

    assert _last_statement(observer, pid) == "SELECT 1"
    assert _read("second request") == "second request"
    assert connection.connection.info.backend_pid == pid
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_a_connection_the_server_closed_is_replaced(observer):
    _read("first request")
    pid = connection.connection.info.backend_pid
    observer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # returns once the backend has exited
    _new_request()

    assert _read("second request") == "second request"
    assert connection.connection.info.backend_pid != pid
