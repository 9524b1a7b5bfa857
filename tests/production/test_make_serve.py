"""`make serve` runs gunicorn and the email worker together, and stops both when either stops."""

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.production.stack import BASE_DIR, free_port, production_env, requires_postgres, server_database_url


def _session_processes(session_id):
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            argv = (stat.parent / "cmdline").read_bytes().decode().split("\0")
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session_id:
            found[int(stat.parent.name)] = argv
    return found


@requires_postgres
def test_make_serve_runs_the_web_server_and_the_email_worker_and_stops_both(collected_static):
    port = free_port()
    env = production_env(
        DATABASE_URL=server_database_url(), STATIC_ROOT=str(collected_static), WEB_CONCURRENCY="2"
    )
    with tempfile.TemporaryFile() as log:
        serve = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={port}"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
                    break
                except requests.RequestException:  # not listening yet, or workers still booting
                    assert serve.poll() is None and time.monotonic() < deadline, "make serve did not start"
                    time.sleep(0.5)
            assert health.status_code == 200
            processes = _session_processes(serve.pid)
            workers = [pid for pid, argv in processes.items() if argv[1:3] == ["manage.py", "db_worker"]]
            assert len(workers) == 1, processes
            gunicorns = [
                pid for pid, argv in processes.items() if any(a.endswith("/gunicorn") for a in argv[:2])
            ]
            assert len(gunicorns) == 3, processes  # the master and WEB_CONCURRENCY workers

            os.kill(workers[0], signal.SIGTERM)  # the email worker stops: the web server goes down with it
            serve.wait(timeout=60)
            time.sleep(0.5)
            assert _session_processes(serve.pid) == {}
        finally:
            if serve.poll() is None:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()
        log.seek(0)
        output = log.read().decode()
    assert "System check identified no issues" in output
    assert f"on http://127.0.0.1:{port}/ with 2 workers and the email worker" in output
    assert "GET /healthz" in output  # gunicorn's access log
