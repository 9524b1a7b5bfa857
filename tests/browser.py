"""Real-browser fixtures: Debian's Chromium driven by Playwright against the live server, with axe checks.

Loaded for the whole suite by ``tests/conftest.py`` (``pytest_plugins``); tests import ``axe_check`` from here."""

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, workspace_catalogue):
    """A fresh browser context (no cookies) whose relative URLs resolve against the live server.

    Console errors (a Content-Security-Policy violation, a script error) fail the test at teardown.
    """
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()
    assert errors == [], f"Browser console errors: {errors}"


_axe = Axe()


def axe_check(page):
    """Fail with axe's report when the current page has any accessibility violation.

    Checks the page once it has loaded: right after a click that follows a link, the old document may be going
    away, and axe would then run on no document at all; it is run again on the new one."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page)
            break
        except PlaywrightError as error:
            navigating = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
    assert results.violations_count == 0, results.generate_report()
