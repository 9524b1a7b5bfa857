"""The production settings are safe, and an unsafe value stops everything before it starts."""

import subprocess
import sys

import pytest

from tests.production.stack import BASE_DIR, free_port, production_env

DEPLOY_CHECK = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def deploy_check(**overrides):
    return subprocess.run(
        DEPLOY_CHECK,
        cwd=BASE_DIR,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is missing"),
        (
            {"SECRET_KEY": "django-insecure-chorus-portal-local-only"},
            "SECRET_KEY is missing, the local default",
        ),
        ({"SECRET_KEY": "too-short-for-production"}, "shorter than 50 characters"),
        ({"PORTAL_CAPTCHA_TEST_MODE": "1"}, "PORTAL_CAPTCHA_TEST_MODE=1"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is empty"),
        ({"DEBUG": "1"}, "security.W018"),
        ({"EMAIL_URL": None}, "mail.E001"),
        ({"TASKS_BACKEND": None}, "chorus_portal.W001"),
        ({"DATABASE_URL": None}, "chorus_portal.W002"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
    ids=[
        "no-secret",
        "default-secret",
        "short-secret",
        "captcha-test-mode",
        "no-allowed-hosts",
        "debug",
        "console-mailer",
        "emails-not-queued",
        "sqlite",
        "no-hsts",
        "no-ssl-redirect",
    ],
)
def test_each_unsafe_value_is_refused(overrides, reason):
    result = deploy_check(**overrides)
    assert result.returncode != 0
    assert reason in result.stdout + result.stderr


def test_make_serve_refuses_an_unsafe_configuration_before_touching_anything():
    """`make serve` with DEBUG on stops at the deploy check: no static files collected, no server started."""
    port = free_port()
    result = subprocess.run(
        ["make", "--no-print-directory", "serve", f"PORT={port}"],
        cwd=BASE_DIR, env=production_env(DEBUG="1"), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr
    assert "Portal (production settings) on" not in result.stdout


def test_make_serve_defaults_to_safe_values_but_keeps_an_explicit_unsafe_one_for_the_check_to_refuse():
    def serve_env(**overrides):
        env = production_env(
            **{"DEBUG": None, "PORTAL_CAPTCHA_TEST_MODE": None, "TASKS_BACKEND": None, **overrides}
        )
        dry_run = subprocess.run(
            ["make", "--no-print-directory", "-n", "serve"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        return next(line for line in dry_run.stdout.splitlines() if line.startswith("export "))

    assert serve_env().startswith(
        "export DEBUG=0 PORTAL_CAPTCHA_TEST_MODE=0 TASKS_BACKEND=django_tasks_db.DatabaseBackend;"
    )
    assert "PORTAL_CAPTCHA_TEST_MODE=1 " in serve_env(PORTAL_CAPTCHA_TEST_MODE="1")
    assert "DEBUG=1 " in serve_env(DEBUG="1")
