"""Strict CSP on every page (no inline script or style), HSTS and secure cookies under the production settings."""

import re

import pytest
from django.conf import settings

from tests.production.csp import assert_csp_strict
from tests.production.stack import BASE_DIR, requires_postgres

# The pages the production server is asked for; every page of the portal is checked under the test client by
# tests/test_page_markup.py.
PAGES = ["/fr/", "/en/", "/fr/login/", "/en/login/", "/fr/admin/login/", "/en/admin/login/", "/healthz"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_csp_strict(response)


def test_our_templates_have_no_inline_style_nor_script():
    offenders = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = template.read_text()
        if re.search(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=|=\s*[\"']?\s*javascript:", text, re.IGNORECASE):
            offenders.append(str(template.relative_to(BASE_DIR)))
        for script in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            if "src=" not in script and "csp_nonce" not in script:
                offenders.append(f"{template.relative_to(BASE_DIR)}: {script}")
    assert offenders == []


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_error_pages_render_without_any_request_context(template):
    from django.template import loader

    html = loader.render_to_string(template, {"PORTAL_NAME": settings.PORTAL_NAME})
    assert '<html lang="fr"' in html and 'lang="en"' in html
    assert "<script" not in html


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_production_server_sends_hsts_secure_cookies_and_the_strict_csp(prod_server):
    for path in PAGES:
        response = prod_server.get(path)
        assert response.status_code == 200, (path, prod_server.output()[-2000:])
        assert_csp_strict(response, origin="https://127.0.0.1")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    login = prod_server.get("/fr/login/")
    csrf_cookie = next(cookie for cookie in login.cookies if cookie.name == "csrftoken")
    assert csrf_cookie.secure and csrf_cookie.has_nonstandard_attr("HttpOnly")


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_production_server_redirects_plain_http_but_not_the_health_check(prod_server):
    plain = prod_server.get("/fr/", headers={"X-Forwarded-Proto": "http"})
    assert (
        plain.status_code == 301 and plain.headers["Location"] == f"https://127.0.0.1:{prod_server.port}/fr/"
    )
    assert prod_server.get("/healthz", headers={"X-Forwarded-Proto": "http"}).status_code == 200


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_production_server_serves_hashed_compressed_static_files(prod_server):
    home = prod_server.get("/fr/").text
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home)
    assert stylesheet, "hashed name of portal.css"
    response = prod_server.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
