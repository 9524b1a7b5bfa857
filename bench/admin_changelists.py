"""How the admin change lists of structures, attachment requests and users scale: 1,000 then 100,000 structures.

Run against PostgreSQL (the production database), on a scratch database that this script creates and fills:

    DATABASE_URL=postgres://postgres@127.0.0.1:54335/chorus_bench .venv/bin/python bench/admin_changelists.py

Prints, for each page, the median time and the number of SQL queries at both sizes, and the ratio of the two
times (the baseline is the same page on 1,000 structures, measured in the same run), then the query plans of the
searches so that the indexes used can be read.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus_portal.settings")
os.environ.setdefault("PORTAL_CAPTCHA_TEST_MODE", "1")

import django
from stdnum import luhn

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from structures.models import AttachmentRequest, Membership, Role, Structure  # noqa: E402

PAGES = {
    "structures": "/fr/admin/structures/structure/",
    "structures, filtered": "/fr/admin/structures/structure/?moderation__exact=TO_REVIEW&is_private__exact=1",
    "structures, no primary manager": "/fr/admin/structures/structure/?primary_manager=no",
    "structures, search name": "/fr/admin/structures/structure/?q=BOULANGERIE+4242",
    "structures, search SIRET": "/fr/admin/structures/structure/?q=831+285+978+4242",
    "structures, search manager": "/fr/admin/structures/structure/?q=gp4242%40",
    "requests stuck > 15 days": "/fr/admin/structures/attachmentrequest/?stuck=15",
    "users, search": "/fr/admin/accounts/user/?q=gp4242",
    "users, locked out": "/fr/admin/accounts/user/?locked_out=yes",
}


def luhn_complete(partial):
    return partial + luhn.calc_check_digit(partial)


def fill(upto):
    """Grow the data set to ``upto`` structures; every other one has a primary manager and a pending request."""
    start = Structure.objects.count()
    batch = 5000
    now = timezone.now()
    for first in range(start, upto, batch):
        numbers = range(first, min(upto, first + batch))
        structures = Structure.objects.bulk_create(
            Structure(
                identifier_type="SIRET",
                identifier=luhn_complete(f"831285978{n:04d}" if n < 10_000 else f"{n:013d}"),
                corporate_name=f"BOULANGERIE {n}" if n % 7 else f"ENTREPRISE {n}",
                city="PARIS" if n % 3 else "QUIMPER",
                postal_code="75012",
                created_at=now - datetime.timedelta(minutes=n),
            )
            for n in numbers
        )
        users = User.objects.bulk_create(
            User(
                email=f"gp{n}@entreprise{n % 97}.fr",
                last_name="DUPOND",
                first_name="Jean",
                email_verified_at=now,
            )
            for n in numbers
            if n % 2 == 0
        )
        managed = [s for s in structures if int(s.corporate_name.split()[-1]) % 2 == 0]
        Membership.objects.bulk_create(
            Membership(user=user, structure=structure, role=Role.PRIMARY_MANAGER)
            for user, structure in zip(users, managed, strict=True)
        )
        requesters = User.objects.bulk_create(
            User(email=f"demandeur{n}@exemple.fr", last_name="MARTIN", first_name="Léa")
            for n in numbers
            if n % 2
        )
        AttachmentRequest.objects.bulk_create(
            AttachmentRequest(
                user=user, structure=structure, created_at=now - datetime.timedelta(days=index % 60)
            )
            for index, (user, structure) in enumerate(zip(requesters, managed, strict=False))
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, url, repeat=7):
    client.get(url)  # warm up
    times, sql_times = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
        sql_times.append(sum(float(query["time"]) for query in queries.captured_queries))
    return statistics.median(times), len(queries), statistics.median(sql_times)


def main():
    assert connection.vendor == "postgresql", "Run this against PostgreSQL (DATABASE_URL)."
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # start from an empty data set: the baseline is 1,000 structures
        cursor.execute("TRUNCATE accounts_user, structures_structure RESTART IDENTITY CASCADE")
    admin, _ = User.objects.get_or_create(
        email="bench-admin@chorus-pro.example",
        defaults={
            "last_name": "BENCH",
            "first_name": "Admin",
            "is_staff": True,
            "email_verified_at": timezone.now(),
        },
    )
    admin.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(admin, backend="accounts.backends.UserBackend")

    results = {}
    for size in (1_000, 100_000):
        began = time.perf_counter()
        fill(size)
        print(f"-- {Structure.objects.count():,} structures (filled in {time.perf_counter() - began:.0f} s)")
        for name, url in PAGES.items():
            results[name, size] = measure(client, url)
            seconds, queries, sql_seconds = results[name, size]
            print(
                f"{name:34} {seconds * 1000:8.1f} ms  {queries:3d} queries  {sql_seconds * 1000:7.1f} ms in SQL"
            )

    print("\n-- ratio 100,000 / 1,000 structures (same page, same run)")
    for name in PAGES:
        (small, small_queries, _), (large, large_queries, _) = results[name, 1_000], results[name, 100_000]
        print(f"{name:34} x{large / small:5.2f}   queries {small_queries} -> {large_queries}")

    print("\n-- plans")
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admin
    structure_admin = site._registry[Structure]
    for term in ("BOULANGERIE 4242", "gp4242@"):
        queryset, _ = structure_admin.get_search_results(request, structure_admin.get_queryset(request), term)
        print(f"search {term!r}:")
        print(queryset.order_by("-pk")[:100].explain(analyze=True))


if __name__ == "__main__":
    main()
