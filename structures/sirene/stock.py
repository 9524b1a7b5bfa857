"""Import of the SIRENE stock files of INSEE (StockEtablissement, StockUniteLegale) into the local directory.

The file (CSV, or the ZIP INSEE publishes) is read as a stream: memory stays flat whatever its size. Rows are
checked and converted in Python; malformed rows are counted by reason and skipped. The rows are then upserted by
SIRET (SIREN for legal units): a re-run refreshes the table in place, without duplicates and without emptying it.
On PostgreSQL the rows go through COPY into a temporary staging table, then one INSERT … ON CONFLICT; on SQLite
through batched upserts, one short transaction per batch so that the portal keeps writing meanwhile.
"""

import contextlib
import csv
import io
import json
import operator
import os
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from structures.models import Establishment, LegalUnit, SireneImport
from structures.sirene.addresses import MASKED_VALUES, STREET_TYPES

csv.field_size_limit(1 << 20)

# The columns of the stock files, in the order of INSEE's 3.11 files (read by name, so the order may change).
_STOCK_ETABLISSEMENT_COLUMNS_TEXT = (
    "siren nic siret statutDiffusionEtablissement dateCreationEtablissement trancheEffectifsEtablissement "
    "anneeEffectifsEtablissement activitePrincipaleRegistreMetiersEtablissement "
    "dateDernierTraitementEtablissement etablissementSiege nombrePeriodesEtablissement "
    "complementAdresseEtablissement numeroVoieEtablissement indiceRepetitionEtablissement "
    "dernierNumeroVoieEtablissement indiceRepetitionDernierNumeroVoieEtablissement typeVoieEtablissement "
    "libelleVoieEtablissement codePostalEtablissement libelleCommuneEtablissement "
    "libelleCommuneEtrangerEtablissement distributionSpecialeEtablissement codeCommuneEtablissement "
    "codeCedexEtablissement libelleCedexEtablissement codePaysEtrangerEtablissement "
    "libellePaysEtrangerEtablissement identifiantAdresseEtablissement "
    "coordonneeLambertAbscisseEtablissement coordonneeLambertOrdonneeEtablissement "
    "complementAdresse2Etablissement numeroVoie2Etablissement indiceRepetition2Etablissement "
    "typeVoie2Etablissement libelleVoie2Etablissement codePostal2Etablissement "
    "libelleCommune2Etablissement libelleCommuneEtranger2Etablissement distributionSpeciale2Etablissement "
    "codeCommune2Etablissement codeCedex2Etablissement libelleCedex2Etablissement "
    "codePaysEtranger2Etablissement libellePaysEtranger2Etablissement dateDebut "
    "etatAdministratifEtablissement enseigne1Etablissement enseigne2Etablissement enseigne3Etablissement "
    "denominationUsuelleEtablissement activitePrincipaleEtablissement "
    "nomenclatureActivitePrincipaleEtablissement caractereEmployeurEtablissement "
    "activitePrincipaleNAF25Etablissement"
)
STOCK_ETABLISSEMENT_COLUMNS = tuple(_STOCK_ETABLISSEMENT_COLUMNS_TEXT.split())
_STOCK_UNITE_LEGALE_COLUMNS_TEXT = (
    "siren statutDiffusionUniteLegale unitePurgeeUniteLegale dateCreationUniteLegale sigleUniteLegale "
    "sexeUniteLegale prenom1UniteLegale prenom2UniteLegale prenom3UniteLegale prenom4UniteLegale "
    "prenomUsuelUniteLegale pseudonymeUniteLegale identifiantAssociationUniteLegale "
    "trancheEffectifsUniteLegale anneeEffectifsUniteLegale dateDernierTraitementUniteLegale "
    "nombrePeriodesUniteLegale categorieEntreprise anneeCategorieEntreprise dateDebut "
    "etatAdministratifUniteLegale nomUniteLegale nomUsageUniteLegale denominationUniteLegale "
    "denominationUsuelle1UniteLegale denominationUsuelle2UniteLegale denominationUsuelle3UniteLegale "
    "categorieJuridiqueUniteLegale activitePrincipaleUniteLegale "
    "nomenclatureActivitePrincipaleUniteLegale nicSiegeUniteLegale economieSocialeSolidaireUniteLegale "
    "societeMissionUniteLegale caractereEmployeurUniteLegale activitePrincipaleNAF25UniteLegale"
)
STOCK_UNITE_LEGALE_COLUMNS = tuple(_STOCK_UNITE_LEGALE_COLUMNS_TEXT.split())

REJECTION_REASONS = {
    "columns": "wrong number of columns",
    "csv": "unreadable CSV line",
    "siret": "SIRET is not 14 digits",
    "siren": "SIREN is not 9 digits",
    "siren_mismatch": "SIRET does not start with the SIREN",
    "too_long": "a value is longer than the directory allows",
    "duplicate": "the same number again further in the file (the last row is kept)",
}
MAX_EXAMPLES = 5
# "ON CONFLICT DO UPDATE command cannot affect row a second time": a number twice in one statement.
CARDINALITY_VIOLATION = "21000"


class StockFileError(Exception):
    """The file cannot be imported at all (missing, not a CSV, not a stock file)."""


@dataclass
class ImportSummary:
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rejections: dict = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return sum(entry["count"] for entry in self.rejections.values())

    def reject(self, reason: str, line: int, count: int = 1):
        entry = self.rejections.setdefault(reason, {"count": 0, "lines": []})
        entry["count"] += count
        if line and len(entry["lines"]) < MAX_EXAMPLES:
            entry["lines"].append(line)


# ---------------------------------------------------------------------------------------------------------------
# Reading


class _CountingFile(io.RawIOBase):
    """A binary file that knows how many bytes were read from it (the progress of a ZIP too)."""

    file = None

    def __init__(self, path):
        self.file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self.size = os.fstat(self.file.fileno()).st_size

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        return self.file.readinto(buffer)

    def seek(self, offset, whence=io.SEEK_SET):
        return self.file.seek(offset, whence)

    def tell(self):
        return self.file.tell()

    def close(self):
        if self.file is not None:
            self.file.close()
        super().close()


class StockReader:
    """Rows of a stock file (CSV or ZIP holding one CSV), as lists of strings, with a byte-based progress."""

    def __init__(self, path):
        try:
            self.raw = _CountingFile(path)
        except OSError as error:
            raise StockFileError(f"cannot open {path}: {error.strerror}") from None
        try:
            if zipfile.is_zipfile(self.raw):
                self.raw.seek(0)
                archive = zipfile.ZipFile(self.raw)
                members = [name for name in archive.namelist() if name.lower().endswith(".csv")]
                if len(members) != 1:
                    raise StockFileError(f"{path}: the ZIP file must hold exactly one CSV file")
                binary = archive.open(members[0])
            else:
                self.raw.seek(0)
                binary = io.BufferedReader(self.raw, buffer_size=1 << 20)
        except (zipfile.BadZipFile, OSError) as error:
            self.raw.close()
            raise StockFileError(f"{path}: {error}") from None
        self.text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
        self.reader = csv.reader(self.text, strict=False)
        try:
            self.header = next(self.reader)
        except (StopIteration, csv.Error):
            self.close()
            raise StockFileError(f"{path}: empty file, or not a CSV file") from None

    @property
    def progress(self) -> float:
        return self.raw.tell() / self.raw.size if self.raw.size else 1.0

    def __iter__(self) -> Iterator[tuple[int, list[str] | None]]:
        """(line number, row) pairs; row is None for a line the CSV parser refuses."""
        reader = self.reader
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield reader.line_num, None
                continue
            yield reader.line_num, row

    def close(self):
        self.text.close()
        self.raw.close()


# ---------------------------------------------------------------------------------------------------------------
# Row conversion: one function per file kind, returning a tuple of the table's columns or a rejection reason.


def _max_lengths(model, columns):
    return [model._meta.get_field(column).max_length for column in columns]


ESTABLISHMENT_COLUMNS = (
    "siret",
    "siren",
    "label",
    "address",
    "address_complement_1",
    "address_complement_2",
    "postal_code",
    "city",
    "country",
    "is_head_office",
    "is_active",
    "is_non_diffusible",
)
LEGAL_UNIT_COLUMNS = ("siren", "corporate_name", "is_active", "is_non_diffusible")


def _column_indexes(header, names, path):
    positions = {name: index for index, name in enumerate(header)}
    missing = [name for name in names if name not in positions]
    if missing:
        raise StockFileError(
            f"{path}: not a SIRENE stock file of this kind (missing columns: {', '.join(missing)})"
        )
    return [positions[name] for name in names]


def establishment_converter(header, path) -> Callable[[list[str]], tuple | str]:
    (
        i_siren,
        i_siret,
        i_diffusion,
        i_head,
        i_complement,
        i_number,
        i_repetition,
        i_type,
        i_street,
        i_postal,
        i_city,
        i_foreign_city,
        i_special,
        i_cedex,
        i_cedex_label,
        i_foreign_country,
        i_state,
        i_sign,
        i_usual_name,
    ) = _column_indexes(
        header,
        (
            "siren",
            "siret",
            "statutDiffusionEtablissement",
            "etablissementSiege",
            "complementAdresseEtablissement",
            "numeroVoieEtablissement",
            "indiceRepetitionEtablissement",
            "typeVoieEtablissement",
            "libelleVoieEtablissement",
            "codePostalEtablissement",
            "libelleCommuneEtablissement",
            "libelleCommuneEtrangerEtablissement",
            "distributionSpecialeEtablissement",
            "codeCedexEtablissement",
            "libelleCedexEtablissement",
            "codePaysEtrangerEtablissement",
            "etatAdministratifEtablissement",
            "enseigne1Etablissement",
            "denominationUsuelleEtablissement",
        ),
        path,
    )
    i_last_number = (
        header.index("dernierNumeroVoieEtablissement")
        if "dernierNumeroVoieEtablissement" in header
        else i_number
    )
    width = len(header)
    fields = operator.itemgetter(
        i_number,
        i_last_number,
        i_repetition,
        i_type,
        i_street,
        i_complement,
        i_special,
        i_postal,
        i_cedex,
        i_city,
        i_foreign_city,
        i_foreign_country,
    )
    label_limit, address_limit, complement_1_limit, complement_2_limit, postal_code_limit, city_limit = (
        _max_lengths(Establishment, ESTABLISHMENT_COLUMNS[2:8])
    )
    masked_values = MASKED_VALUES
    street_types = STREET_TYPES

    # Tight code: this runs once per row of a file of tens of millions of rows.
    def convert(row):
        if len(row) != width:
            return "columns"
        siret = row[i_siret]
        if len(siret) != 14 or not siret.isdigit() or not siret.isascii():
            return "siret"
        siren = row[i_siren]
        if siren and siren != siret[:9]:
            return "siren_mismatch"
        (
            number,
            last_number,
            repetition,
            street_type,
            street,
            complement,
            special,
            postal_code,
            cedex,
            city,
            foreign_city,
            foreign_country,
        ) = fields(row)
        masked = row[i_diffusion] in ("P", "N")
        if (
            not masked
            and "[" in f"{number}{street_type}{street}{complement}{special}{postal_code}{city}{cedex}"
        ):
            masked = any(
                value.strip() in masked_values
                for value in (number, street_type, street, complement, special, postal_code, city, cedex)
            )
        if masked:
            address = complement = special = postal_code = city = ""
        else:
            if last_number and number and last_number != number:
                number = f"{number}-{last_number}"
            address = " ".join(
                filter(None, (number, repetition, street_types.get(street_type, street_type), street))
            )
            if cedex and not special:
                special = f"{cedex} {row[i_cedex_label]}".strip()
            city = foreign_city or city
        label = row[i_sign] or row[i_usual_name]
        if label in masked_values:
            label = ""
        if (
            len(label) > label_limit
            or len(address) > address_limit
            or len(complement) > complement_1_limit
            or len(special) > complement_2_limit
            or len(postal_code) > postal_code_limit
            or len(city) > city_limit
        ):
            return "too_long"
        return (
            siret,
            siret[:9],
            label,
            address,
            complement,
            special,
            postal_code,
            city,
            "" if foreign_city or foreign_country else "FR",
            row[i_head] == "true",
            row[i_state] != "F",
            masked,
        )

    return convert


def legal_unit_converter(header, path) -> Callable[[list[str]], tuple | str]:
    indexes = _column_indexes(
        header,
        (
            "siren",
            "statutDiffusionUniteLegale",
            "etatAdministratifUniteLegale",
            "denominationUniteLegale",
            "nomUniteLegale",
            "nomUsageUniteLegale",
            "prenom1UniteLegale",
            "prenomUsuelUniteLegale",
        ),
        path,
    )
    i_siren, i_diffusion, i_state, i_name, i_last, i_usage_last, i_first, i_usual_first = indexes
    width = len(header)
    limit = LegalUnit._meta.get_field("corporate_name").max_length
    masked_values = MASKED_VALUES

    def convert(row):
        if len(row) != width:
            return "columns"
        siren = row[i_siren]
        if len(siren) != 9 or not siren.isdigit() or not siren.isascii():
            return "siren"
        masked = row[i_diffusion] in ("P", "N")
        name = row[i_name].strip()
        if not name:
            last = row[i_usage_last].strip() or row[i_last].strip()
            first = row[i_usual_first].strip() or row[i_first].strip()
            if last in masked_values or first in masked_values:
                masked = True
                name = ""
            elif last:
                name = f"{first} {last}".strip()
        elif name in masked_values:
            masked = True
            name = ""
        if len(name) > limit:
            return "too_long"
        return (siren, name, row[i_state] != "C", masked)

    return convert


# ---------------------------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True)
class Target:
    table: str
    columns: tuple
    key: str


ESTABLISHMENTS = Target(Establishment._meta.db_table, ESTABLISHMENT_COLUMNS, "siret")
LEGAL_UNITS = Target(LegalUnit._meta.db_table, LEGAL_UNIT_COLUMNS, "siren")


class SqliteWriter:
    batch_size = 20_000

    def __init__(self, target: Target, summary: ImportSummary):
        self.target = target
        self.summary = summary
        self.batch: dict[str, tuple] = {}
        self.lines: dict[str, int] = {}
        columns = ", ".join(target.columns)
        updates = ", ".join(
            f"{column} = excluded.{column}" for column in target.columns if column != target.key
        )
        changed = " OR ".join(
            f"{column} IS NOT excluded.{column}" for column in target.columns if column != target.key
        )
        self.upsert = (
            f"INSERT INTO {target.table} ({columns}) VALUES ({', '.join('?' * len(target.columns))}) "  # noqa: S608
            f"ON CONFLICT ({target.key}) DO UPDATE SET {updates} WHERE {changed}"
        )
        self.existing = (
            f"SELECT count(*) FROM {target.table} WHERE {target.key} IN (SELECT value FROM json_each(?))"  # noqa: S608
        )

        connection.ensure_connection()
        if not connection.in_atomic_block:
            # WAL stays consistent with NORMAL; a crash may lose the last batches, which a re-run restores.
            connection.connection.execute("PRAGMA synchronous = NORMAL")

    def add(self, line: int, row: tuple):
        key = row[0]
        if key in self.batch:
            self.summary.reject("duplicate", self.lines[key])
        self.batch[key] = row
        self.lines[key] = line
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self):
        if not self.batch:
            return
        connection.ensure_connection()
        with transaction.atomic():
            cursor = connection.connection.cursor()
            existing = cursor.execute(self.existing, (json.dumps(list(self.batch)),)).fetchone()[0]
            cursor.execute("SELECT total_changes()")
            before = cursor.fetchone()[0]
            cursor.executemany(self.upsert, self.batch.values())
            changed = cursor.execute("SELECT total_changes()").fetchone()[0] - before
            cursor.close()
        inserted = len(self.batch) - existing
        self.summary.rows_inserted += inserted
        self.summary.rows_updated += changed - inserted
        self.summary.rows_unchanged += existing - (changed - inserted)
        self.batch.clear()
        self.lines.clear()

    def finish(self):
        self.flush()

    def abort(self, error):
        self.batch.clear()


class PostgresWriter:
    """COPY into a temporary staging table, then one upsert (the latest row of each key wins)."""

    def __init__(self, target: Target, summary: ImportSummary):
        self.target = target
        self.summary = summary
        self.staging = f"sirene_staging_{target.key}"
        self.staged = 0
        self.cursor = connection.cursor()
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.staging}")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {self.staging} (LIKE {target.table} INCLUDING DEFAULTS, line bigint)"
        )
        # Text format, rows adapted by psycopg (its C implementation when installed), sent in large chunks.
        self.copy_context = self.cursor.copy(
            f"COPY {self.staging} ({', '.join(target.columns)}, line) FROM STDIN"
        )
        self.copy = self.copy_context.__enter__()

    def add(self, line: int, row: tuple):
        self.copy.write_row((*row, line))
        self.staged += 1

    def _upsert(self, *, deduplicate: bool) -> str:
        """Insert the new rows, update the changed ones, leave the others alone; count inserted and updated.

        The unchanged rows are filtered out by a join first (cheaper than a conflict per row on a re-run)."""
        key, table = self.target.key, self.target.table
        columns = ", ".join(self.target.columns)
        others = [column for column in self.target.columns if column != key]
        incoming = (
            f"SELECT DISTINCT ON ({key}) {columns} FROM {self.staging} ORDER BY {key}, line DESC"  # noqa: S608
            if deduplicate
            else f"SELECT {columns} FROM {self.staging}"  # noqa: S608
        )
        return f"""
            WITH incoming AS ({incoming}),
            changed AS (
                SELECT i.* FROM incoming i LEFT JOIN {table} t ON t.{key} = i.{key}
                WHERE t.{key} IS NULL
                   OR ({", ".join(f"t.{c}" for c in others)}) IS DISTINCT FROM ({", ".join(f"i.{c}" for c in others)})
            ),
            upserted AS (
                INSERT INTO {table} AS t ({columns}) SELECT {columns} FROM changed
                ON CONFLICT ({key}) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in others)}
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
        """  # noqa: S608

    def abort(self, error):
        if self.copy_context is not None:
            self.copy_context.__exit__(type(error), error, error.__traceback__)
            self.copy_context = None

    def finish(self):
        context, self.copy_context = self.copy_context, None
        context.__exit__(None, None, None)
        with transaction.atomic():
            # Enough memory for the join and the sort to stay in RAM (server side, this transaction only).
            self.cursor.execute("SET LOCAL work_mem = '128MB'")
            try:
                # A monthly stock has each number once: try without sorting the staging table first.
                with transaction.atomic():
                    self.cursor.execute(self._upsert(deduplicate=False))
                    inserted, updated = self.cursor.fetchone()
                    distinct = self.staged
            except DatabaseError as error:
                if getattr(error.__cause__, "sqlstate", None) != CARDINALITY_VIOLATION:
                    raise
                # The same number twice: keep the last row of each.
                self.cursor.execute(self._upsert(deduplicate=True))
                inserted, updated = self.cursor.fetchone()
                self.cursor.execute(f"SELECT count(DISTINCT {self.target.key}) FROM {self.staging}")  # noqa: S608
                distinct = self.cursor.fetchone()[0]
        if self.staged > distinct:
            self.summary.reject("duplicate", 0, self.staged - distinct)
        self.summary.rows_inserted += inserted
        self.summary.rows_updated += updated
        self.summary.rows_unchanged += distinct - inserted - updated
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.staging}")
        self.cursor.execute(f"ANALYZE {self.target.table}")
        self.cursor.close()


# ---------------------------------------------------------------------------------------------------------------
# The import


class Progress:
    """A progress bar on a terminal (stderr), refreshed at most four times a second."""

    def __init__(self, stream=None, label=""):
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, fraction: float, rows: int, force=False):
        now = time.monotonic()
        if not force and now - self.last < 0.25:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        filled = int(fraction * 30)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {fraction:6.1%} "
            f"{rows:>12,} rows {rows / elapsed:>10,.0f} rows/s"
        )
        self.stream.flush()

    def done(self, rows: int):
        self.update(1.0, rows, force=True)
        self.stream.write("\n")
        self.stream.flush()


def _converted_rows(
    reader: StockReader, convert, summary: ImportSummary, progress
) -> Iterable[tuple[int, tuple]]:
    for count, (line, row) in enumerate(reader, start=1):
        summary.rows_read += 1
        if row is None:
            summary.reject("csv", line)
        else:
            converted = convert(row)
            if type(converted) is str:
                summary.reject(converted, line)
            else:
                yield line, converted
        if progress is not None and not count % 10_000:
            progress.update(reader.progress, count)


def sirene_stock_import(*, path, kind: str, progress_stream=None) -> SireneImport:
    """Import one stock file; the returned history row holds the counts. Raises StockFileError before any write
    when the file is not a stock file of that kind."""
    is_establishments = kind == SireneImport.Kind.ESTABLISHMENTS
    reader = StockReader(path)
    try:
        converter = establishment_converter if is_establishments else legal_unit_converter
        convert = converter(reader.header, path)
        history = SireneImport.objects.create(file_name=os.path.basename(path), kind=kind)
        summary = ImportSummary()
        progress = (
            Progress(progress_stream, label=os.path.basename(path)) if progress_stream is not False else None
        )
        writer_class = PostgresWriter if connection.vendor == "postgresql" else SqliteWriter
        writer = None
        try:
            writer = writer_class(ESTABLISHMENTS if is_establishments else LEGAL_UNITS, summary)
            for line, row in _converted_rows(reader, convert, summary, progress):
                writer.add(line, row)
            writer.finish()
        except BaseException as error:
            if writer is not None:
                writer.abort(error)
            history.status = SireneImport.Status.FAILED
            history.error = repr(error)
            with contextlib.suppress(DatabaseError):  # e.g. inside a transaction the error broke
                _save_history(history, summary)
            raise
        if progress is not None:
            progress.done(summary.rows_read)
        history.status = SireneImport.Status.SUCCEEDED
        _save_history(history, summary)
        return history
    finally:
        reader.close()


def _save_history(history: SireneImport, summary: ImportSummary):
    history.finished_at = timezone.now()
    history.rows_read = summary.rows_read
    history.rows_inserted = summary.rows_inserted
    history.rows_updated = summary.rows_updated
    history.rows_unchanged = summary.rows_unchanged
    history.rows_rejected = summary.rows_rejected
    history.rejections = summary.rejections
    history.save()


DEMO_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "sirene_demo")


def sirene_demo_load() -> int:
    """Load the demo extract shipped with the portal (the seeds' companies and fictitious examples). Idempotent;
    returns how many establishments were inserted."""
    sirene_stock_import(
        path=os.path.join(DEMO_DIRECTORY, "StockUniteLegale_demo.csv"),
        kind=SireneImport.Kind.LEGAL_UNITS,
        progress_stream=False,
    )
    history = sirene_stock_import(
        path=os.path.join(DEMO_DIRECTORY, "StockEtablissement_demo.csv"),
        kind=SireneImport.Kind.ESTABLISHMENTS,
        progress_stream=False,
    )
    return history.rows_inserted
