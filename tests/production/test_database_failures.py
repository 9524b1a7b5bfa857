"""The health check and the error pages when the database fails for real (no stand-in: a closed port, a backend
terminated by PostgreSQL itself)."""

import threading
import time

import pytest

from tests.factories import NewsFactory
from tests.production.stack import (
    SERVER_APPLICATION_NAME,
    Server,
    free_port,
    operator_connection,
    production_env,
    requires_postgres,
)


def test_healthz_answers_200_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(collected_static):
    """gunicorn with the production settings, pointed at a PostgreSQL port nothing listens on."""
    closed = free_port()
    server = Server(
        production_env(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/chorus_portal",
            STATIC_ROOT=str(collected_static),
        )
    )
    try:
        # Plain HTTP, as a load balancer probes it: no redirect to HTTPS.
        response = server.get("/healthz", headers={"X-Forwarded-Proto": "http"})
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}
        page = server.get("/fr/")
        assert page.status_code == 503, server.output()[-4000:]
        assert (
            "Service momentanément indisponible" in page.text
            and "Service temporarily unavailable" in page.text
        )
        assert page.headers["Retry-After"] == "30"
        assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    finally:
        server.stop()


def _server_backends(admin):
    return [
        row[0]
        for row in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [SERVER_APPLICATION_NAME]
        ).fetchall()
    ]


@pytest.fixture
def admin_connection(prod_server):
    with operator_connection() as admin:
        yield admin


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_between_requests_is_replaced_unnoticed(prod_server, admin_connection):
    NewsFactory(body_fr="Nouvelle facturation électronique")
    assert prod_server.get("/fr/").status_code == 200
    backends = _server_backends(admin_connection)
    assert backends, "the worker keeps its connection (CONN_MAX_AGE)"
    for pid in backends:
        admin_connection.execute("SELECT pg_terminate_backend(%s)", [pid])

    response = prod_server.get("/fr/")  # CONN_HEALTH_CHECKS: the dead connection is noticed and replaced
    assert response.status_code == 200
    assert "Nouvelle facturation électronique" in response.text
    assert set(_server_backends(admin_connection)).isdisjoint(backends)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_request_gives_the_503_page_and_the_next_request_works(
    prod_server, admin_connection
):
    NewsFactory(body_fr="Nouvelle facturation électronique")
    assert prod_server.get("/fr/").status_code == 200

    # Hold the cache table (the home page reads its news there) so that the home page's query waits inside
    # PostgreSQL, then kill the backend running it.
    answers = []
    with admin_connection.transaction():
        admin_connection.execute("LOCK TABLE portal_cache IN ACCESS EXCLUSIVE MODE")
        request = threading.Thread(target=lambda: answers.append(prod_server.get("/fr/")))
        request.start()
        deadline = time.monotonic() + 10
        while not (
            waiting := admin_connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
                [SERVER_APPLICATION_NAME],
            ).fetchall()
        ):
            assert time.monotonic() < deadline, "the home page never waited on the lock"
            time.sleep(0.05)
        admin_connection.execute("SELECT pg_terminate_backend(%s)", [waiting[0][0]])
        request.join(timeout=20)

    (dropped,) = answers
    assert dropped.status_code == 503
    assert (
        "Service momentanément indisponible" in dropped.text
        and "Service temporarily unavailable" in dropped.text
    )
    assert dropped.headers["Retry-After"] == "30"

    following = prod_server.get("/fr/")
    assert following.status_code == 200
    assert "Nouvelle facturation électronique" in following.text
