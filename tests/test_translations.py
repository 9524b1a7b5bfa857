"""French and English catalogues are complete, current, and compiled.

A string added to the code without running ``make messages`` and translating it fails here.
"""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_fuzzy_entry(language):
    fuzzy = [entry.msgid for entry in _catalogue(language) if "fuzzy" in entry.flags and not entry.obsolete]
    assert fuzzy == [], f"Fuzzy entries in the {language} catalogue: {fuzzy}"


def test_french_catalogue_is_fully_translated():
    catalogue = _catalogue("fr")
    plural_forms = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"]).group(1))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    missing += [
        entry.msgid
        for entry in catalogue.translated_entries()
        if entry.msgid_plural and sum(1 for text in entry.msgstr_plural.values() if text) != plural_forms
    ]
    assert missing == [], f"Missing French translations: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """The committed .mo says exactly what the .po says (compilemessages was run after the last edit)."""
    directory = LOCALE / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _catalogue(language).translated_entries():
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                assert compiled._catalog.get((msgid, int(index))) == text, (
                    f"{language}: {msgid!r} not compiled"
                )
        else:
            assert compiled._catalog.get(msgid) == entry.msgstr, f"{language}: {msgid!r} not compiled"


def test_catalogues_contain_every_string_of_the_code(tmp_path):
    """Extracting the messages anew from a copy of the project adds nothing and removes nothing."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "staticfiles", "db.sqlite3*", "__pycache__", "node_modules"
        ),
    )
    subprocess.run(
        ["make", "-s", "-C", str(copy), "messages", f"VENV={Path(sys.executable).parent.parent}"],
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        committed = {_key(entry) for entry in _catalogue(language) if not entry.obsolete}
        fresh_po = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        fresh = {_key(entry) for entry in fresh_po if not entry.obsolete}
        assert fresh - committed == set(), (
            f"{language}: strings missing from the catalogue, run `make messages`"
        )
        assert committed - fresh == set(), f"{language}: strings no longer in the code, run `make messages`"
