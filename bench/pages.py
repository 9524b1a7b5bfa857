"""Page throughput and latency under the production stack, as ratios of a bare Django view measured in the same run.

    .venv/bin/python bench/pages.py                      # every page of the target (labels below)
    .venv/bin/python bench/pages.py home account         # some of them (labels of bench/page_fixtures.PAGES)
    .venv/bin/python bench/pages.py "/fr/structures/recherche/?q=mairie"   # any other page (GET)
    .venv/bin/python bench/pages.py @/fr/mon-compte/     # "@": with a logged-in user's cookies

Pages (labels): home (FR), login, signup-1/2/3 (each signup step, GET; step 2 with a signup identified at step 1,
step 3 with one whose step 2 was posted), activation (the emailed link of an account waiting for activation),
search (the public structure search), account ("Mon Compte") and home-connected (the connected home), plus home-en.
bench/page_fixtures.py prepares their cookies and token through the portal itself before the measures.

What it does: starts a private PostgreSQL cluster on loopback (port 54346, `make pg-start`), then `make serve`
with the production settings (DEBUG off, a generated secret, gunicorn with 2 x cores + 1 workers, whitenoise) and
the bench-only bare view (PORTAL_BENCH_BARE_VIEW=1), loads the demo data, installs Debian's `wrk` if missing, and
for the bare view and each page runs wrk (16 connections, 2 threads) as a TLS-terminating proxy would send the
requests (X-Forwarded-Proto: https). In rounds of short runs, the bare view is measured before and after each page; a page's ratio
is to the mean of the two; the medians over the rounds are printed.
Meanwhile it samples the peak resident memory (VmHWM) of every gunicorn web worker.

Targets (issue 8): every page >= 20% of the bare view's requests/s, p99 < 100 ms at 16 connections on 2 cores.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.page_fixtures import BARE, COOKIES, PAGES  # noqa: E402 (after the path above)

PYTHON = BASE_DIR / ".venv" / "bin" / "python"
DEFAULT_PAGES = [
    "home",
    "login",
    "signup-1",
    "signup-2",
    "signup-3",
    "activation",
    "search",
    "account",
    "home-connected",
]
THROUGHPUT_TARGET = 0.20
P99_TARGET_MS = 100.0


def sh(*command, **kwargs):
    return subprocess.run(command, cwd=BASE_DIR, check=True, **kwargs)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("Installing Debian's wrk", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    sh(*sudo, "apt-get", "update", "-qq")
    sh(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk",
       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)  # fmt: skip


def uncommitted_changes():
    """What ``git status`` lists in the tree served. gunicorn recycles its workers during a run and a new worker reads
    the templates as they are then: edit the tree during a run and its figures mix two versions. Benchmark a
    worktree of the commit instead (bench/RESULTS.md)."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=BASE_DIR, capture_output=True, text=True
    )
    return status.stdout.split("\n")[0].strip() if status.returncode == 0 else ""


def postgres_start(port):
    sh("make", "--no-print-directory", "pg-start", f"PG_PORT={port}")
    psql = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1]
    sh(
        str(psql),
        "-q",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        "postgres",
        "-c",
        "CREATE DATABASE chorus_portal",
    )
    return f"postgres://postgres@127.0.0.1:{port}/chorus_portal"


def postgres_stop(port):
    sh("make", "--no-print-directory", "pg-stop", f"PG_PORT={port}")


def wait_until_healthy(url, process, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("make serve stopped before answering (see its log above)")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("make serve did not become healthy")


class WorkerMemory(threading.Thread):
    """Samples the memory of the gunicorn web workers (children of the gunicorn master, in our session): the peak
    resident set (VmHWM, shared pages included) and the peak proportional set size (Pss: shared pages divided
    among the processes sharing them, the fair share of each worker; gunicorn --preload shares the code)."""

    def __init__(self, session_id):
        super().__init__(daemon=True)
        self.session_id = session_id
        self.peak_rss_kib, self.peak_pss_kib = {}, {}
        self.running = True

    def _gunicorn_processes(self):
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                argv = (stat.parent / "cmdline").read_bytes().decode().split("\0")
            except (OSError, IndexError, UnicodeDecodeError):
                continue
            if int(fields[3]) == self.session_id and any(arg.endswith("/gunicorn") for arg in argv[:2]):
                yield int(stat.parent.name), int(fields[1])

    @staticmethod
    def _kib(path, key):
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def run(self):
        while self.running:
            processes = dict(self._gunicorn_processes())
            for pid, ppid in processes.items():
                if ppid not in processes:
                    continue  # the master
                try:
                    rss = self._kib(Path(f"/proc/{pid}/status"), "VmHWM")
                    pss = self._kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss")
                except OSError:
                    continue
                self.peak_rss_kib[pid] = max(self.peak_rss_kib.get(pid, 0), rss)
                self.peak_pss_kib[pid] = max(self.peak_pss_kib.get(pid, 0), pss)
            time.sleep(0.5)


def wrk(url, duration, connections, cookies=None):
    headers = ["-H", "X-Forwarded-Proto: https"] + (["-H", f"Cookie: {cookies}"] if cookies else [])
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s", *headers, url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip

    def latency_ms(label):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency_ms("50%"),
        "p99": latency_ms("99%"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "pages",
        nargs="*",
        help=f"pages to measure: labels among {', '.join(PAGES)} or paths (GET, '@' first: logged in); "
        f"default: {' '.join(DEFAULT_PAGES)}",
    )
    parser.add_argument(
        "--duration", type=int, default=30, help="seconds per page, over all rounds (default 30)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of short runs (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pg-port", type=int, default=54346)
    parser.add_argument("--port", type=int, default=8346, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--database-url", help="use this database instead of a private cluster")
    args = parser.parse_args()
    pages = list(dict.fromkeys(args.pages or DEFAULT_PAGES))
    unknown = [page for page in pages if page not in PAGES and not page.lstrip("@").startswith("/")]
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; labels: {', '.join(PAGES)}; or a path")

    ensure_wrk()
    changed = uncommitted_changes()
    if changed:
        print(
            f"warning: uncommitted changes in the tree served ({changed}, ...): do not edit it during the run"
        )
    load_before, started = os.getloadavg(), datetime.now(UTC)
    database_url = args.database_url or postgres_start(args.pg_port)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **{key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "USER")},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "EMAIL_URL": "smtp://127.0.0.1:2525",
        "PORTAL_CAPTCHA_TEST_MODE": "0",
        "PORTAL_ENVIRONMENT": "production",
        "PORTAL_BASE_URL": f"https://127.0.0.1:{args.port}",  # required with DEBUG off (the links of emails)
        "PORTAL_BENCH_BARE_VIEW": "1",
        "STATIC_ROOT": static_root,
    }
    log = tempfile.NamedTemporaryFile(prefix="bench-serve-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={args.port}"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_healthy(base, server)
        sh(str(PYTHON), "manage.py", "load_demo_data", env=env, stdout=subprocess.DEVNULL)
        prepared = json.loads(
            sh(str(PYTHON), "manage.py", "shell", "-c",
               "from bench.page_fixtures import print_prepared; print_prepared()",
               env=env, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        )  # fmt: skip
        paths = {**PAGES, **prepared["paths"]}

        def measure(page, duration):
            if page in paths:
                cookies = prepared["cookies"].get(COOKIES.get(page))
                return wrk(base + paths[page], duration, args.connections, cookies)
            cookies = prepared["cookies"]["user"] if page.startswith("@") else None
            return wrk(base + page.removeprefix("@"), duration, args.connections, cookies)

        memory = WorkerMemory(server.pid)
        memory.start()

        for page in [BARE, *pages]:  # warm-up: imports, template loading, connections
            measure(page, 2)
        # Rounds of short runs, the bare view before and after every page: in each round a page's ratio is to
        # the mean of its two neighbours, so that a change in the machine's load (shared CPU) moves both sides;
        # the figures printed are the medians over the rounds.
        slice_seconds = max(2, round(args.duration / args.rounds))
        bare_runs, results = [], {page: [] for page in pages}
        for _ in range(args.rounds):
            before = measure(BARE, slice_seconds)
            bare_runs.append(before)
            for page in pages:
                run = measure(page, slice_seconds)
                after = measure(BARE, slice_seconds)
                run["ratio"] = run["rps"] / ((before["rps"] + after["rps"]) / 2)
                results[page].append(run)
                bare_runs.append(after)
                before = after
        memory.running = False
        memory.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.database_url:
            postgres_stop(args.pg_port)

    workers = re.search(r"with (\d+) workers", Path(log.name).read_text())
    print()
    print(f"started {started:%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.platform()}")
    print(
        f"cpu: {_cpu_model()} x {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in load_before)}"
    )
    print(
        f"gunicorn workers: {workers.group(1) if workers else '?'}, wrk -t2 -c{args.connections}, {args.rounds} rounds "
        f"of {slice_seconds} s per page and per bare-view run; medians over the rounds"
    )
    print()
    print(f"{'page':<40} {'req/s':>9} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  verdict")
    failed = False
    bare = {key: statistics.median(run[key] for run in bare_runs) for key in ("rps", "p50", "p99")}
    bare["errors"] = sum(run["errors"] for run in bare_runs)
    print(f"{'bare view (baseline)':<40} {bare['rps']:>9.1f} {'':>7} {bare['p50']:>8.2f} {bare['p99']:>8.2f} "
          f"{bare['errors']:>7}")  # fmt: skip
    for page, runs in results.items():
        run = {key: statistics.median(r[key] for r in runs) for key in ("rps", "ratio", "p50", "p99")}
        errors = sum(r["errors"] for r in runs)
        ok = run["ratio"] >= THROUGHPUT_TARGET and run["p99"] < P99_TARGET_MS and errors == 0
        failed |= not ok
        print(f"{page:<40} {run['rps']:>9.1f} {run['ratio']:>6.0%} {run['p50']:>8.2f} {run['p99']:>8.2f} "
              f"{errors:>7}  {'ok' if ok else 'MISSED'}")  # fmt: skip
    print("pages: " + ", ".join(
        f"{page} {paths[page] if len(paths[page]) < 40 else paths[page][:30] + '...'}"
        + (" (logged in)" if COOKIES.get(page) == "user" else "")
        for page in pages if page in paths
    ))  # fmt: skip
    print("per round (req/s, ratio, p99 ms):")
    print(f"  {'bare view':<38} " + "  ".join(f"{r['rps']:.0f}" for r in bare_runs))
    for page, runs in results.items():
        print(f"  {page:<38} " + "  ".join(f"{r['rps']:.0f} {r['ratio']:.0%} {r['p99']:.0f}" for r in runs))
    if memory.peak_rss_kib:
        rss, pss = sorted(memory.peak_rss_kib.values()), sorted(memory.peak_pss_kib.values())
        print(f"\nmemory per web worker over {len(rss)} worker processes (gunicorn recycles a worker after "
              f"20000±2000 requests): peak RSS max {rss[-1] / 1024:.1f} MiB (median {statistics.median(rss) / 1024:.1f}), "
              f"peak PSS max {pss[-1] / 1024:.1f} MiB (median {statistics.median(pss) / 1024:.1f})")  # fmt: skip
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if changed:
        print(f"measured with uncommitted changes in the tree ({changed}, ...)")
    print(
        f"targets: every page >= {THROUGHPUT_TARGET:.0%} of the bare view, p99 < {P99_TARGET_MS:.0f} ms, no error"
    )
    print(f"server log: {log.name}")
    return 1 if failed else 0


def _cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


if __name__ == "__main__":
    sys.exit(main())
