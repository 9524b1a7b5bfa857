"""What a page must hold to live under the portal's strict Content-Security-Policy."""

import re
from html.parser import HTMLParser


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
