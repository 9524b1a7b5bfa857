"""Benchmark of the SIRENE directory: stock import and SIRET lookup at scale.

    .venv/bin/python bench/sirene.py [--rows 1000000]                       # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:54331/bench .venv/bin/python bench/sirene.py   # PostgreSQL

1. Writes a synthetic StockEtablissement file in INSEE's column layout (valid SIRETs, 10 % closed, 3 %
   non-diffusible) of N rows.
2. Baseline measured in the same run: how fast Python's csv module merely reads that file.
3. Runs `manage.py import_sirene` on it in a child process (empty table, then a re-run over the full table) and
   prints rows/s, the ratio to the baseline, and the child's peak RSS.
4. Looks up 10,000 random SIRETs of the file through `lookup_siret` (backend `local`) and prints p50/p99, with
   a raw primary-key SELECT as the baseline.

Targets at 1,000,000 rows: import >= 50,000 rows/s on PostgreSQL and >= 20,000 rows/s on SQLite, peak RSS
< 300 MB, lookup p99 < 2 ms.
"""

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

STREET_TYPES = ["RUE", "AV", "BD", "PL", "CHE", "ALL", "IMP", "RTE", "QUAI", "SQ"]
STREETS = ["DE LA PAIX", "VICTOR HUGO", "DU GENERAL DE GAULLE", "DES LILAS", "JEAN JAURES", "DE LA GARE"]
CITIES = [("75012", "PARIS 12", "75112"), ("69003", "LYON 3", "69383"), ("13001", "MARSEILLE 1", "13201")]
CITIES += [("33000", "BORDEAUX", "33063"), ("59000", "LILLE", "59350"), ("44000", "NANTES", "44109")]


def luhn_digit(number: str) -> str:
    total = 0
    for index, char in enumerate(reversed(number)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def siret_of(index: int) -> str:
    siren = f"{10_000_000 + index // 3:08d}"
    siren += luhn_digit(siren)
    nic = f"{index % 3 + 1:04d}"
    return siren + nic + luhn_digit(siren + nic)


def write_stock(path: Path, rows: int):
    from structures.sirene.stock import STOCK_ETABLISSEMENT_COLUMNS

    rng = random.Random(42)
    columns = list(STOCK_ETABLISSEMENT_COLUMNS)
    position = {name: index for index, name in enumerate(columns)}
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        for index in range(rows):
            siret = siret_of(index)
            row = [""] * len(columns)
            postal_code, city, city_code = rng.choice(CITIES)
            masked = rng.random() < 0.03
            values = {
                "siren": siret[:9],
                "nic": siret[9:],
                "siret": siret,
                "statutDiffusionEtablissement": "P" if masked else "O",
                "dateCreationEtablissement": f"{rng.randint(1970, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "trancheEffectifsEtablissement": rng.choice(["NN", "00", "01", "02", "11", "12"]),
                "anneeEffectifsEtablissement": "2023",
                "dateDernierTraitementEtablissement": "2025-03-22T08:13:02",
                "etablissementSiege": "true" if index % 3 == 0 else "false",
                "nombrePeriodesEtablissement": str(rng.randint(1, 5)),
                "numeroVoieEtablissement": "[ND]" if masked else str(rng.randint(1, 250)),
                "indiceRepetitionEtablissement": "B" if rng.random() < 0.05 else "",
                "typeVoieEtablissement": "[ND]" if masked else rng.choice(STREET_TYPES),
                "libelleVoieEtablissement": "[ND]" if masked else rng.choice(STREETS),
                "codePostalEtablissement": "[ND]" if masked else postal_code,
                "libelleCommuneEtablissement": city,
                "codeCommuneEtablissement": city_code,
                "identifiantAdresseEtablissement": f"{city_code}_{rng.randint(1000, 9999)}_{rng.randint(1, 250):05d}",
                "coordonneeLambertAbscisseEtablissement": "[ND]"
                if masked
                else f"{rng.uniform(1e5, 1e6):.1f}",
                "coordonneeLambertOrdonneeEtablissement": "[ND]"
                if masked
                else f"{rng.uniform(6e6, 7e6):.1f}",
                "dateDebut": "2020-01-01",
                "etatAdministratifEtablissement": "F" if rng.random() < 0.1 else "A",
                "enseigne1Etablissement": f"ENSEIGNE {index}" if rng.random() < 0.2 else "",
                "activitePrincipaleEtablissement": "62.02A",
                "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                "caractereEmployeurEtablissement": rng.choice("ON"),
                "activitePrincipaleNAF25Etablissement": "62.20Y",
            }
            for name, value in values.items():
                row[position[name]] = value
            writer.writerow(row)


def baseline_parse(path: Path) -> tuple[float, float]:
    """Rows/s of csv.reader alone, wall clock and per CPU second (the machine may be shared)."""
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, newline="", encoding="utf-8") as file:
        count = sum(1 for _ in csv.reader(file)) - 1
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def import_in_child(path: Path, env: dict) -> tuple[float, float, float, int, str]:
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if child.returncode:
        sys.exit(child.stderr)
    lines = child.stdout.strip().splitlines()
    return elapsed, float(lines[-3]), float(lines[-2]), int(lines[-1]), lines[-4]


# Runs the import command in a fresh interpreter; prints the CPU time (s) of its PostgreSQL server process, its
# own CPU time (s) and its peak RSS (KiB) last.
CHILD = """
import os, resource, sys, django
django.setup()
from django.core.management import call_command
call_command("import_sirene", sys.argv[1], "--no-progress")
from django.db import connection
server_cpu = 0.0
if connection.vendor == "postgresql":  # the server process of this connection, on the same machine
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        server_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
usage = resource.getrusage(resource.RUSAGE_SELF)
print(server_cpu)
print(usage.ru_utime + usage.ru_stime)
print(usage.ru_maxrss)
"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "sirene-bench"))
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorus_portal.settings", "PYTHONPATH": str(BASE_DIR)}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from structures.models import Establishment, LegalUnit, SireneImport
    from structures.sirene import SireneStatus, lookup_siret

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        for model in (Establishment, LegalUnit, SireneImport):
            verb = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
            cursor.execute(f"{verb} {model._meta.db_table}")
    connection.close()

    stock = workdir / f"StockEtablissement_{args.rows}.csv"
    if not stock.exists():
        started = time.perf_counter()
        write_stock(stock, args.rows)
        print(
            f"generated {stock} ({stock.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )

    print(f"database: {connection.vendor}, rows: {args.rows:,}, file: {stock.stat().st_size / 1e6:.0f} MB")
    parse_rate, parse_cpu_rate = baseline_parse(stock)
    print(
        f"baseline  csv.reader alone          {parse_rate:>12,.0f} rows/s  ({parse_cpu_rate:,.0f} rows per CPU-s)"
    )
    print(
        f"load average at start: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    for label in ("import into an empty table", "re-run over the full table"):
        elapsed, server_cpu, cpu, peak_kib, summary = import_in_child(stock, env)
        rate = args.rows / elapsed
        print(
            f"{label:<35} {rate:>12,.0f} rows/s  ({elapsed:.1f} s, {rate / parse_rate:.2f} × baseline, "
            f"peak RSS {peak_kib / 1024:.0f} MB)"
        )
        server = f" + PostgreSQL server CPU {server_cpu:.1f} s" if server_cpu else ""
        print(f"    CPU: importer {cpu:.1f} s{server} = {args.rows / (cpu + server_cpu):,.0f} rows per CPU-s")
        print(f"    {summary}")

    rng = random.Random(7)
    sirets = [siret_of(rng.randrange(args.rows)) for _ in range(args.lookups)]
    connection.ensure_connection()
    raw, timings = [], []
    table = Establishment._meta.db_table
    with connection.cursor() as cursor:
        for siret in sirets[:1000]:  # warm-up
            cursor.execute(f"SELECT * FROM {table} WHERE siret = %s", [siret])
            cursor.fetchone()
        for siret in sirets:
            started = time.perf_counter()
            cursor.execute(f"SELECT * FROM {table} WHERE siret = %s", [siret])
            cursor.fetchone()
            raw.append(time.perf_counter() - started)
    statuses = {}
    cpu_timings = []
    for siret in sirets:
        started, cpu = time.perf_counter(), time.thread_time()
        result = lookup_siret(siret)
        timings.append(time.perf_counter() - started)
        cpu_timings.append(time.thread_time() - cpu)
        statuses[result.status] = statuses.get(result.status, 0) + 1
    assert SireneStatus.UNKNOWN not in statuses, statuses
    p50, p99 = percentile(timings, 0.5) * 1000, percentile(timings, 0.99) * 1000
    raw50, raw99 = percentile(raw, 0.5) * 1000, percentile(raw, 0.99) * 1000
    print(f"baseline  raw primary-key SELECT    p50 {raw50:.3f} ms  p99 {raw99:.3f} ms")
    print(
        f"lookup_siret (local), {args.lookups:,} SIRETs  p50 {p50:.3f} ms  p99 {p99:.3f} ms  "
        f"({p50 / raw50:.1f} × / {p99 / raw99:.1f} × baseline; mean {statistics.mean(timings) * 1000:.3f} ms)"
    )
    print(
        f"lookup_siret CPU time only                p50 {percentile(cpu_timings, 0.5) * 1000:.3f} ms  "
        f"p99 {percentile(cpu_timings, 0.99) * 1000:.3f} ms"
    )
    print(f"load average at end: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
