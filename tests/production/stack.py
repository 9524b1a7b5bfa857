"""The production stack for the tests of this folder: the portal under gunicorn in a subprocess, with the
production settings (DEBUG off, a generated secret, whitenoise, secure cookies, HSTS) on the test database."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
ON_POSTGRES = connection.vendor == "postgresql"
requires_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
SERVER_APPLICATION_NAME = "portal-under-test"


def operator_connection():
    """A connection of our own to the test database, outside Django's, as an operator's psql would be."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname=db["NAME"], autocommit=True,
    )  # fmt: skip


def production_env(**overrides):
    """A clean environment holding a safe production configuration (nothing inherited from the test run)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "smtp://127.0.0.1:2525",
        "DATABASE_URL": "postgres://portal@127.0.0.1:5432/chorus_portal",  # not connected to by `check --deploy`
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PORTAL_CAPTCHA_TEST_MODE": "0",
        "PORTAL_ENVIRONMENT": "production",
        "PORTAL_BASE_URL": "https://chorus-pro.example",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def free_port():
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_database_url():
    """The URL of the test database, naming the server's connections so that a test can find them."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        f"?application_name={SERVER_APPLICATION_NAME}"
    )


class Server:
    def __init__(self, env, workers=1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "chorus_portal.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--no-control-socket", "--access-logfile", "-"],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("gunicorn did not start:\n" + self.output()) from None
                time.sleep(0.2)

    def get(self, path, **kwargs):
        """A request as the TLS-terminating proxy forwards it."""
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        return requests.get(self.url + path, headers=headers, allow_redirects=False, timeout=20, **kwargs)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.log.close()
