"""Directory scale: the public structure search and the admin change list of structures over 1,000,000 structures.

    .venv/bin/python bench/directory.py [--rows 1000000] [--queries 300]          # SQLite (a temporary file)
    make pg-start PG_PORT=54353
    DATABASE_URL=postgres://postgres@127.0.0.1:54353/chorus_portal .venv/bin/python bench/directory.py

1. Fills a scratch database with N structures (COPY on PostgreSQL, executemany on SQLite): valid SIRETs, French
   names and cities with accents, 10 % public (--public-share), 3 % inactive, 1 % suspended; `search_text` computed
   by the model's own normalisation. A database already holding exactly N structures is reused.
2. Through the Django test client (the whole middleware stack, DEBUG off), a few hundred requests of each kind:
   the public search `structure_search` (name words typed with other case and accents, a whole SIRET, a SIREN,
   a postal code, a city) and the admin change list of structures (its search and its filters), logged in as a
   superuser. Prints p50/p95/max per kind and the ratio of the p50 to the baseline measured in the same run: the
   same page without a search (the empty search form; the admin list unfiltered on its first page, of 50 rows).
   Both counts stop at 1,000 (chorus_portal.pagination.CappedCountPaginator): the pages say "more than 1,000".
3. On PostgreSQL, the public search is measured twice: without the trigram index on `search_text` (dropped for the
   measure) and with it (re-created, its build time printed); the query plan of one search is printed.

Target (issue 8): p95 < 50 ms on PostgreSQL; on SQLite, what it reaches.
"""

import argparse
import functools
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

P95_TARGET_MS = 50.0
TRIGRAM_INDEX = "structure_search_text_trgm"  # structures/migrations/0007_structure_search_text_trgm.py

PREFIXES = ["Boulangerie", "Société", "Entreprise", "Garage", "Cabinet", "Pharmacie", "Menuiserie", "Café",
            "Hôtel", "Librairie", "Atelier", "Transports", "Électricité", "Plomberie", "Crèche", "Clinique"]  # fmt: skip
PUBLIC_PREFIXES = ["Mairie de", "Commune de", "Centre hospitalier de", "Lycée", "Collège", "Communauté de communes de",
                   "Département", "Syndicat intercommunal de", "Office public de l'habitat de", "Université de"]  # fmt: skip
SURNAMES = ["Lefèvre", "Müller", "Dupont", "Gérard", "Fournier", "Benoît", "Chevalier", "Noël", "Lemaître",
            "Rousseau", "Faure", "Mercier", "Blanchard", "Guérin", "Boyer", "Garnier", "Châtelain", "Hébert"]  # fmt: skip
CITIES = [("75012", "Paris"), ("69003", "Lyon"), ("13001", "Marseille"), ("42000", "Saint-Étienne"),
          ("33000", "Bordeaux"), ("59000", "Lille"), ("44000", "Nantes"), ("67000", "Strasbourg"),
          ("06000", "Nice"), ("34000", "Montpellier"), ("35000", "Rennes"), ("29000", "Quimper"),
          ("97400", "Saint-Denis"), ("14000", "Caen"), ("80000", "Amiens"), ("63000", "Clermont-Ferrand"),
          ("01000", "Bourg-en-Bresse"), ("74000", "Annecy"), ("64200", "Biarritz"), ("51100", "Reims")]  # fmt: skip


def luhn_digit(number: str) -> str:
    total = 0
    for index, char in enumerate(reversed(number)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def siret_of(index: int) -> str:
    siren = f"{20_000_000 + index // 2:08d}"
    siren += luhn_digit(siren)
    nic = f"{index % 2 + 1:04d}"
    return siren + nic + luhn_digit(siren + nic)


def structure_values(index: int, rng: random.Random, public_share: float) -> dict:
    """The varying fields of structure ``index``, and its ``search_text`` built from the normalised parts."""

    public = rng.random() < public_share
    postal_code, city = CITIES[rng.randrange(len(CITIES))]
    words = [rng.choice(PUBLIC_PREFIXES), city] if public else [rng.choice(PREFIXES), rng.choice(SURNAMES)]
    upper = rng.random() < 0.5
    name = " ".join([*words, str(index)])
    label = f"Service {rng.choice(SURNAMES)}" if rng.random() < 0.1 else ""
    identifier = siret_of(index)
    draw = rng.random()
    # Structure.build_search_text, with the normalisation of the repeated words cached (checked in fill()).
    normalised = [" ".join(normalise_cached(word) for word in words) + f" {index}", normalise_cached(label),
                  identifier, postal_code, normalise_cached(city)]  # fmt: skip
    return {
        "identifier_type": "SIRET",
        "identifier": identifier,
        "corporate_name": name.upper() if upper else name,
        "label": label,
        "address": f"{rng.randint(1, 200)} rue {rng.choice(SURNAMES)}",
        "postal_code": postal_code,
        "city": city.upper(),
        "is_private": not public,
        "status": "INACTIVE" if draw < 0.03 else "ACTIVE",
        "moderation": "SUSPENDED" if draw > 0.99 else ("VERIFIED" if draw > 0.6 else "TO_REVIEW"),
        "search_text": " ".join(part for part in normalised if part),
    }


@functools.cache
def normalise_cached(value):
    from structures.models import search_normalise

    return search_normalise(value)


def fill(rows: int, public_share: float):
    from django.db import connection, transaction
    from django.utils import timezone

    from structures.models import Structure

    fields = [field for field in Structure._meta.concrete_fields if not field.primary_key]
    columns = [field.column for field in fields]
    defaults = {field.attname: field.get_default() for field in fields}
    now = timezone.now()
    rng = random.Random(2026)

    def rows_iter():
        for index in range(rows):
            values = {**defaults, **structure_values(index, rng, public_share)}
            values["created_at"] = values["updated_at"] = now - timedelta(minutes=index)
            if index < 1000:
                check = Structure(**{k: values[k] for k in ("corporate_name", "label", "identifier", "postal_code",
                                                            "city")}).build_search_text()  # fmt: skip
                assert values["search_text"] == check, (values["search_text"], check)
            yield [values[field.attname] for field in fields]

    table = Structure._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows_iter():
                    copy.write_row(row)
        else:
            cursor.execute(f"DELETE FROM {table}")
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch = []
            for row in rows_iter():
                batch.append(row)
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def public_queries(rows: int, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, q) pairs: what people type in the public search."""
    queries = []
    for number in range(count):
        kind = number % 5
        postal_code, city = CITIES[rng.randrange(len(CITIES))]
        index = rng.randrange(rows)
        if kind == 0:  # name words, another case, accents dropped or not
            words = [rng.choice(["mairie", "MAIRIE", "Mairie de", "lycee", "Lycée", "centre hospitalier",
                                 "Université"]), rng.choice([city, city.lower(), city.upper()])]  # fmt: skip
            queries.append(("name", " ".join(words)))
        elif kind == 1:
            queries.append(("identifier (SIRET)", siret_of(index)))
        elif kind == 2:
            queries.append(("identifier (SIREN)", siret_of(index)[:9]))
        elif kind == 3:
            queries.append(("postal code", postal_code))
        else:
            queries.append(("city", rng.choice([city, city.lower(), city.replace("É", "E")])))
    return queries


ADMIN = "/fr/admin/structures/structure/"


def admin_queries(rows: int, count: int, rng: random.Random) -> list[tuple[str, str]]:
    filters = [
        "?is_private__exact=0",
        "?moderation__exact=TO_REVIEW&status__exact=ACTIVE",
        "?moderation__exact=SUSPENDED",
        "?status__exact=INACTIVE&is_private__exact=1",
        "?created_at__gte={today}",
        "?identifier_type__exact=SIRET&p=5",
    ]
    queries = []
    for number in range(count):
        index = rng.randrange(rows)
        kind = number % 4
        if kind == 0:
            queries.append(
                ("search name", f"?q=BOULANGERIE+{rng.choice(['LEFÈVRE', 'DUPONT', 'MERCIER'])}+{index}")
            )
        elif kind == 1:
            queries.append(("search SIRET", f"?q={siret_of(index)}"))
        elif kind == 2:
            queries.append(("search city", f"?q={rng.choice(['QUIMPER', 'BIARRITZ', 'REIMS'])}"))
        else:
            queries.append(("filters", rng.choice(filters)))
    return queries


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(client, urls):
    """Seconds per request, in order; every answer must be a 200."""
    times = []
    for url in urls:
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
    return times


def report(label, times, baseline_p50):
    p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
    ratio = f"{p50 / baseline_p50:5.1f} x" if baseline_p50 else ""
    print(f"  {label:<28} {len(times):>5} {p50:>8.1f} {p95:>8.1f} {max(times) * 1000:>8.1f}  {ratio}")
    return p95


def run_kind(client, title, baseline_url, queries, repeat_baseline):
    client.get(baseline_url)
    for _, url in queries[:10]:  # warm-up
        client.get(url)
    baseline = measure(client, [baseline_url] * repeat_baseline)
    base_p50 = percentile(baseline, 0.5) * 1000
    print(f"{title}: {'requests':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  p50 / baseline")
    report("baseline (no search)", baseline, 0)
    by_kind, times = {}, measure(client, [url for _, url in queries])
    for (kind, _), elapsed in zip(queries, times, strict=True):
        by_kind.setdefault(kind, []).append(elapsed)
    for kind, values in by_kind.items():
        report(kind, values, base_p50)
    return report("all", times, base_p50)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300, help="requests of each kind (public, admin)")
    parser.add_argument("--public-share", type=float, default=0.10)
    parser.add_argument(
        "--no-before", action="store_true", help="PostgreSQL: skip the measure without the index"
    )
    parser.add_argument(
        "--only", choices=["public", "admin"], help="measure the public search or the admin change list alone"
    )
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "directory-bench"))
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus_portal.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'directory.sqlite3'}")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from structures.models import Structure

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    print(f"database: {connection.vendor}, load average at start: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")  # fmt: skip
    if Structure.objects.count() != args.rows:
        began = time.perf_counter()
        fill(args.rows, args.public_share)
        elapsed = time.perf_counter() - began
        print(f"filled {args.rows:,} structures in {elapsed:.0f} s ({args.rows / elapsed:,.0f} rows/s)")
    # What autovacuum does after a bulk load (statistics, visibility map) and what `PRAGMA optimize` does on SQLite
    # (statistics, also for the indexes that a migration added to a reused database).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM (ANALYZE) {Structure._meta.db_table}")
        else:
            cursor.execute(f"ANALYZE {Structure._meta.db_table}")
    public = Structure.objects.filter(is_private=False).count()
    print(f"{args.rows:,} structures, {public:,} public ({public / args.rows:.0%})")

    admin, _ = User.objects.get_or_create(
        email="bench-directory@chorus-pro.example",
        defaults={"last_name": "BENCH", "first_name": "Admin", "is_staff": True, "is_superuser": True,
                  "email_verified_at": timezone.now()},
    )  # fmt: skip
    client = Client()
    rng = random.Random(7)
    search = "/fr/structures/recherche/"
    public_urls = [(kind, f"{search}?q={q}") for kind, q in public_queries(args.rows, args.queries, rng)]
    today = quote(timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0).isoformat(sep=" "))
    admin_urls = [
        (kind, ADMIN + q.format(today=today)) for kind, q in admin_queries(args.rows, args.queries, rng)
    ]
    repeat = max(20, args.queries // 5)
    results = {}

    if connection.vendor == "postgresql" and args.only != "admin":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [TRIGRAM_INDEX])
            definition = cursor.fetchone()
        if definition and not args.no_before:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP INDEX "{TRIGRAM_INDEX}"')
            print(f"\nwithout {TRIGRAM_INDEX} (dropped for this measure):")
            results["public, no trigram index"] = run_kind(
                client, "public search", search, public_urls, repeat
            )
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(definition[0])
                cursor.execute(f"ANALYZE {Structure._meta.db_table}")
            print(f"\n{TRIGRAM_INDEX} re-created in {time.perf_counter() - began:.0f} s: {definition[0]}")
        elif not definition:
            print(f"\n{TRIGRAM_INDEX} is missing (migrate structures 0006)")
    if args.only != "admin":
        print()
        results["public"] = run_kind(client, "public search", search, public_urls, repeat)
    if args.only != "public":
        client.force_login(admin, backend="accounts.backends.UserBackend")
        print()
        results["admin"] = run_kind(client, "admin change list", ADMIN, admin_urls, repeat)

    if connection.vendor == "postgresql" and args.only != "admin":
        from structures.selectors import structures_public_search

        print("\nplan of the public search 'mairie quimper' (first page):")
        print(structures_public_search(query="mairie quimper")[:10].explain(analyze=True))
    print()
    for name, p95 in results.items():
        verdict = ("ok" if p95 < P95_TARGET_MS else "MISSED") if connection.vendor == "postgresql" else ""
        print(f"{name:<28} p95 {p95:8.1f} ms  (target < {P95_TARGET_MS:.0f} ms on PostgreSQL) {verdict}")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
