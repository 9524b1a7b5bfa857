from django.core.management.base import BaseCommand, CommandError

from structures.models import SireneImport
from structures.sirene.stock import REJECTION_REASONS, StockFileError, sirene_stock_import

KIND_LABELS = {
    SireneImport.Kind.ESTABLISHMENTS: "establishments",
    SireneImport.Kind.LEGAL_UNITS: "legal units",
}


class Command(BaseCommand):
    help = (
        "Import the SIRENE stock files of INSEE (StockEtablissement_utf8.csv, and StockUniteLegale_utf8.csv for the "
        "corporate names; plain CSV or the ZIP of data.gouv.fr) into the local directory. Safe to run again: a new "
        "month's stock updates the rows in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("establishments", nargs="?", help="StockEtablissement file (CSV or ZIP)")
        parser.add_argument("--unites-legales", dest="legal_units", help="StockUniteLegale file (CSV or ZIP)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, establishments=None, legal_units=None, no_progress=False, **options):
        if not establishments and not legal_units:
            raise CommandError("Give a StockEtablissement file, a --unites-legales file, or both.")
        progress = False if no_progress else self.stderr._out
        jobs = [
            (legal_units, SireneImport.Kind.LEGAL_UNITS),
            (establishments, SireneImport.Kind.ESTABLISHMENTS),
        ]
        for path, kind in jobs:
            if not path:
                continue
            try:
                history = sirene_stock_import(path=path, kind=kind, progress_stream=progress)
            except StockFileError as error:
                raise CommandError(str(error)) from None
            self._summary(history)

    def _summary(self, history):
        self.stdout.write(
            f"{history.file_name} ({KIND_LABELS[history.kind]}): {history.rows_read:,} rows read, "
            f"{history.rows_inserted:,} inserted, {history.rows_updated:,} updated, "
            f"{history.rows_unchanged:,} unchanged, {history.rows_rejected:,} rejected."
        )
        for reason, entry in sorted(history.rejections.items(), key=lambda item: -item[1]["count"]):
            lines = ", ".join(str(line) for line in entry["lines"])
            example = f" (lines {lines}…)" if lines else ""
            self.stdout.write(f"  rejected: {entry['count']:,} × {REJECTION_REASONS[reason]}{example}")
