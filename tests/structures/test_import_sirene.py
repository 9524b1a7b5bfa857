"""`manage.py import_sirene` on small stock files written by the tests (official column names)."""

import csv
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from structures.models import Establishment, LegalUnit, SireneImport
from structures.sirene import SireneStatus, lookup_siret
from structures.sirene.stock import STOCK_ETABLISSEMENT_COLUMNS, STOCK_UNITE_LEGALE_COLUMNS


def establishment(siret, **fields):
    row = dict.fromkeys(STOCK_ETABLISSEMENT_COLUMNS, "")
    row.update(
        siren=siret[:9],
        nic=siret[9:],
        siret=siret,
        statutDiffusionEtablissement="O",
        etablissementSiege="true",
        etatAdministratifEtablissement="A",
        numeroVoieEtablissement="19",
        indiceRepetitionEtablissement="B",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DE COTTE",
        codePostalEtablissement="75012",
        libelleCommuneEtablissement="PARIS 12",
    )
    row.update(fields)
    return [row[column] for column in STOCK_ETABLISSEMENT_COLUMNS]


def legal_unit(siren, **fields):
    row = dict.fromkeys(STOCK_UNITE_LEGALE_COLUMNS, "")
    row.update(siren=siren, statutDiffusionUniteLegale="O", etatAdministratifUniteLegale="A")
    row.update(fields)
    return [row[column] for column in STOCK_UNITE_LEGALE_COLUMNS]


def write_csv(path, header, rows, raw_lines=()):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        for line in raw_lines:
            file.write(line + "\n")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_sirene", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def stock(tmp_path):
    rows = [
        establishment("83128597800019"),
        establishment(
            "81880244900038",
            indiceRepetitionEtablissement="",
            numeroVoieEtablissement="59",
            libelleVoieEtablissement="DE TOCQUEVILLE",
            codePostalEtablissement="75017",
            libelleCommuneEtablissement="PARIS 17",
            enseigne1Etablissement="AU PIED DE COCHON",
        ),
        establishment(
            "51010091000015",
            indiceRepetitionEtablissement="",
            typeVoieEtablissement="BD",
            libelleVoieEtablissement="MALESHERBES",
            codePostalEtablissement="75008",
            libelleCommuneEtablissement="PARIS 8",
            etatAdministratifEtablissement="F",
            etablissementSiege="false",
        ),
        establishment(
            "73282932000074",
            statutDiffusionEtablissement="P",
            numeroVoieEtablissement="[ND]",
            typeVoieEtablissement="[ND]",
            libelleVoieEtablissement="[ND]",
            codePostalEtablissement="[ND]",
            libelleCommuneEtablissement="NANTES",
        ),
        establishment("35600000000015", etablissementSiege="false"),
        # Malformed rows: too few columns, a SIRET that is not 14 digits, a SIRET of another SIREN, too long a value.
        establishment("83128597800027")[:10],
        establishment("8312859780002"),
        establishment("83128597800035", siren="111111111"),
        establishment("83128597800043", libelleVoieEtablissement="X" * 300),
    ]
    return write_csv(
        tmp_path / "StockEtablissement_utf8.csv",
        STOCK_ETABLISSEMENT_COLUMNS,
        rows,
        raw_lines=['"broken quote,' + "," * (len(STOCK_ETABLISSEMENT_COLUMNS) - 2)],
    )


@pytest.fixture
def units(tmp_path):
    rows = [
        legal_unit("831285978", denominationUniteLegale="LE CHAT QUI PECHE"),
        legal_unit("818802449", denominationUniteLegale="SNC AU PIED DE COCHON LGE"),
        legal_unit("510100910", denominationUniteLegale="M A SOCIETE"),
        legal_unit(
            "732829320",
            statutDiffusionUniteLegale="P",
            nomUniteLegale="[ND]",
            prenom1UniteLegale="[ND]",
            prenomUsuelUniteLegale="[ND]",
        ),
        legal_unit("123456782", nomUniteLegale="DUPOND", prenom1UniteLegale="STEPHANIE"),
        legal_unit("12345678"),
    ]
    return write_csv(tmp_path / "StockUniteLegale_utf8.csv", STOCK_UNITE_LEGALE_COLUMNS, rows)


def test_import_fills_the_local_directory_and_reports(stock, units):
    out, err = run(stock, "--unites-legales", units)

    assert "StockUniteLegale_utf8.csv (legal units): 6 rows read, 5 inserted" in out
    assert "1 × SIREN is not 9 digits (lines 7" in out
    assert "StockEtablissement_utf8.csv (establishments): 10 rows read, 5 inserted" in out
    assert "0 updated, 0 unchanged, 5 rejected." in out
    for reason in (
        "wrong number of columns (lines 7",
        "SIRET is not 14 digits (lines 8",
        "SIRET does not start with the SIREN (lines 9",
        "a value is longer than the directory allows (lines 10",
    ):
        assert reason in out
    assert "100.0%" in err  # the progress bar

    chat = Establishment.objects.get(siret="83128597800019")
    assert (chat.address, chat.postal_code, chat.city, chat.country) == (
        "19 B RUE DE COTTE",
        "75012",
        "PARIS 12",
        "FR",
    )
    assert chat.is_head_office and chat.is_active
    result = lookup_siret("831 285 978 00019")
    assert (result.status, result.corporate_name) == (SireneStatus.FOUND, "LE CHAT QUI PECHE")
    assert lookup_siret("81880244900038").label == "AU PIED DE COCHON"
    societe = lookup_siret("51010091000015")
    assert (societe.status, societe.address, societe.is_head_office) == (
        SireneStatus.CLOSED,
        "19 BOULEVARD MALESHERBES",
        False,
    )
    assert lookup_siret("35600000000015").status == SireneStatus.FOUND

    hidden = Establishment.objects.get(siret="73282932000074")
    assert hidden.is_non_diffusible
    assert hidden.address == hidden.postal_code == hidden.city == ""
    masked = lookup_siret("73282932000074")
    assert masked.is_non_diffusible and masked.corporate_name == "" and masked.address == ""
    assert LegalUnit.objects.get(siren="123456782").corporate_name == "STEPHANIE DUPOND"

    history = SireneImport.objects.get(kind=SireneImport.Kind.ESTABLISHMENTS)
    assert history.status == SireneImport.Status.SUCCEEDED
    assert (history.rows_read, history.rows_inserted, history.rows_updated, history.rows_rejected) == (
        10,
        5,
        0,
        5,
    )
    assert history.rejections["columns"] == {"count": 2, "lines": [7, 11]}
    assert history.finished_at >= history.started_at


def test_rerun_inserts_nothing_twice_and_updates_what_changed(stock, units, tmp_path):
    run(stock, "--unites-legales", units, "--no-progress")
    out, err = run(stock, "--no-progress")
    assert "10 rows read, 0 inserted, 0 updated, 5 unchanged, 5 rejected." in out
    assert err == ""

    next_month = write_csv(
        tmp_path / "StockEtablissement_next.csv",
        STOCK_ETABLISSEMENT_COLUMNS,
        [
            establishment("83128597800019", etatAdministratifEtablissement="F"),
            establishment("81880244900038", enseigne1Etablissement="", numeroVoieEtablissement="59"),
            establishment("26570134200148"),
        ],
    )
    out, _ = run(next_month, "--no-progress")
    assert "3 rows read, 1 inserted, 2 updated, 0 unchanged, 0 rejected." in out
    assert Establishment.objects.count() == 6
    assert lookup_siret("83128597800019").status == SireneStatus.CLOSED


def test_same_siret_twice_in_a_file_keeps_the_last_row(tmp_path):
    path = write_csv(
        tmp_path / "StockEtablissement.csv",
        STOCK_ETABLISSEMENT_COLUMNS,
        [establishment("83128597800019", codePostalEtablissement="75011"), establishment("83128597800019")],
    )
    out, _ = run(path, "--no-progress")
    assert "2 rows read, 1 inserted" in out
    assert "1 × the same number again further in the file" in out
    assert Establishment.objects.get().postal_code == "75012"


def test_zip_file_as_published(tmp_path, stock):
    archive = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(stock, "StockEtablissement_utf8.csv")
    out, err = run(archive)
    assert "10 rows read, 5 inserted" in out
    assert "100.0%" in err
    assert Establishment.objects.count() == 5


def test_invalid_utf8_does_not_stop_the_import(tmp_path):
    path = tmp_path / "StockEtablissement.csv"
    write_csv(path, STOCK_ETABLISSEMENT_COLUMNS, [establishment("83128597800019")])
    with open(path, "ab") as file:
        file.write(
            b",".join(
                [b"831285978", b"00027", b"83128597800027"]
                + [b"\xff\xfe"] * (len(STOCK_ETABLISSEMENT_COLUMNS) - 3)
            )
            + b"\n"
        )
    out, _ = run(path, "--no-progress")
    assert "2 rows read" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("siren,nic\n123456789,00012\n", "missing columns: siret"),
        ("siren,statutDiffusionUniteLegale\n", "missing columns"),
    ],
)
def test_file_that_is_not_a_stock_file_is_refused_before_any_write(tmp_path, content, message):
    path = tmp_path / "StockEtablissement.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    assert not SireneImport.objects.exists()


def test_missing_file_and_missing_argument(tmp_path):
    with pytest.raises(CommandError, match="cannot open"):
        run(tmp_path / "absent.csv")
    with pytest.raises(CommandError, match="Give a StockEtablissement file"):
        run()


def test_zip_without_a_single_csv_is_refused(tmp_path):
    archive = tmp_path / "stock.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "no csv here")
    with pytest.raises(CommandError, match="exactly one CSV"):
        run(archive)


def test_demo_extract_is_loaded_by_load_demo_data_once():
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())
    assert Establishment.objects.count() == 6
    chat = lookup_siret("83128597800019")
    assert (chat.corporate_name, chat.address, chat.postal_code, chat.city) == (
        "LE CHAT QUI PECHE",
        "19 B RUE DE COTTE",
        "75012",
        "PARIS 12",
    )
    cochon = lookup_siret("81880244900038")
    assert (cochon.corporate_name, cochon.address, cochon.city) == (
        "SNC AU PIED DE COCHON LGE",
        "59 RUE DE TOCQUEVILLE",
        "PARIS 17",
    )
    societe = lookup_siret("51010091000015")
    assert (societe.corporate_name, societe.address, societe.city) == (
        "M A SOCIETE",
        "19 BOULEVARD MALESHERBES",
        "PARIS 8",
    )
    assert lookup_siret("90000000100017").status == SireneStatus.CLOSED
    hidden = lookup_siret("90000001900019")
    assert hidden.is_non_diffusible and hidden.address == hidden.postal_code == ""
    la_poste = lookup_siret("35600000000015")
    assert (la_poste.status, la_poste.corporate_name) == (SireneStatus.FOUND, "LA POSTE")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path runs on PostgreSQL only")
def test_postgresql_import_goes_through_copy_into_a_staging_table(stock):
    with CaptureQueriesContext(connection) as queries:
        out, _ = run(stock, "--no-progress")
    assert "10 rows read, 5 inserted" in out
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert "CREATE TEMPORARY TABLE sirene_staging_siret" in statements
    assert "ON CONFLICT (siret) DO UPDATE" in statements
