"""The INSEE quota holds across processes: two `manage.py shell` processes share it through the database cache."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from stdnum import luhn

from tests.structures import sirene_payloads as payloads

BASE_DIR = Path(__file__).resolve().parents[2]
QUOTA = 5
LOOKUPS_PER_PROCESS = 8

LOOKUPS = """
import json, os, time
from structures.sirene import lookup_siret
start = float(os.environ["START_AT"])
while time.time() < start:
    time.sleep(0.01)
sirets = os.environ["SIRETS"].split(",")
print(json.dumps([lookup_siret(siret).status.value for siret in sirets]))
"""


def sirets(prefix: str, count: int) -> list[str]:
    siren = prefix + luhn.calc_check_digit(prefix)
    return [siren + f"{n:04d}" + luhn.calc_check_digit(siren + f"{n:04d}") for n in range(1, count + 1)]


def database_url(tmp_path) -> str:
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    # The SQLite test database lives in memory: the processes share a database file of their own.
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
    )
    return url


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_insee_quota(httpserver, tmp_path):
    httpserver.expect_request(re.compile(r"/api-sirene/3\.11/siret/\d{14}")).respond_with_json(
        payloads.INSEE_NOT_FOUND, status=404
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url(tmp_path),
        "SIRENE_BACKENDS": "insee",
        "INSEE_SIRENE_API_URL": httpserver.url_for("/api-sirene/3.11"),
        "INSEE_SIRENE_API_KEY": "cle-de-test",
        "INSEE_SIRENE_REQUESTS_PER_MINUTE": str(QUOTA),
        "START_AT": str(time.time() + 4),
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", LOOKUPS],
            cwd=BASE_DIR,
            env={**env, "SIRETS": ",".join(sirets(prefix, LOOKUPS_PER_PROCESS))},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("40000000", "50000000")
    ]
    statuses = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        statuses += json.loads(out.strip().splitlines()[-1])

    assert len(httpserver.log) == QUOTA
    assert statuses.count("UNKNOWN") == QUOTA
    assert statuses.count("UNAVAILABLE") == 2 * LOOKUPS_PER_PROCESS - QUOTA
