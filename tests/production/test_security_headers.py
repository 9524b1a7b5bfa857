"""Strict CSP on every page (no inline script or style), HSTS and secure cookies under the production settings."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from tests.production.stack import BASE_DIR, requires_postgres

# The pages that exist; other branches add theirs here at merge.
PAGES = ["/fr/", "/en/", "/fr/login/", "/en/login/", "/fr/admin/login/", "/en/admin/login/", "/healthz"]


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.styles, self.style_attributes, self.handlers, self.javascript_urls = (
            [],
            [],
            [],
            [],
            [],
        )
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = {**attrs, "body": ""}
            self.scripts.append(self._in_script)
        if tag == "style":
            self.styles.append(attrs)
        if "style" in attrs:
            self.style_attributes.append((tag, attrs["style"]))
        self.handlers += [(tag, name) for name in attrs if name.startswith("on")]
        self.javascript_urls += [
            (tag, value)
            for name, value in attrs.items()
            if value and value.strip().lower().startswith("javascript:")
        ]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["body"] += data


def csp_nonce(header):
    match = re.search(r"'nonce-([^']+)'", header)
    return match.group(1) if match else None


def assert_csp_strict(response, origin="http://testserver"):
    header = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in header.split(";") if " " in d.strip())
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert directives["script-src"].split()[0] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    if not response.headers["Content-Type"].startswith("text/html"):
        return
    markup = _Markup()
    markup.feed(response.content.decode())
    nonce = csp_nonce(header)
    for script in markup.scripts:
        src = script.get("src")
        if src:
            assert (src.startswith("/") and not src.startswith("//")) or src.startswith(origin + "/"), script
        else:
            assert nonce and script.get("nonce") == nonce, (
                f"inline script without the request's nonce: {script}"
            )
    assert markup.styles == [], "<style> element"
    assert markup.style_attributes == [], "style attribute"
    assert markup.handlers == [], "inline event handler"
    assert markup.javascript_urls == [], "javascript: URL"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_csp_strict(response)


def test_our_templates_have_no_inline_style_nor_script():
    offenders = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = template.read_text()
        if re.search(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", text, re.IGNORECASE):
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
