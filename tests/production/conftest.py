"""Fixtures of the production tests: static files collected as `make serve` does, and a gunicorn server."""

import subprocess
import sys

import pytest

from tests.production.stack import BASE_DIR, ON_POSTGRES, Server, production_env, server_database_url


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """collectstatic as `make serve` runs it (compressed, hashed names), once per test session."""
    static_root = tmp_path_factory.mktemp("prod") / "staticfiles"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR, env=production_env(STATIC_ROOT=str(static_root)), check=True,
    )  # fmt: skip
    return static_root


@pytest.fixture(scope="session")
def prod_server(django_db_setup, collected_static):
    """gunicorn (one worker, so that the test knows which connection serves it) on the PostgreSQL test database."""
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    server = Server(production_env(STATIC_ROOT=str(collected_static), DATABASE_URL=server_database_url()))
    yield server
    server.stop()
