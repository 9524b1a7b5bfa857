"""Whole onboardings under load: virtual users sign up (steps 1-3) and activate their account from the email.

    .venv/bin/python bench/onboarding.py                 # 300 onboardings, 50 concurrent users
    .venv/bin/python bench/onboarding.py -n 1000 --users 50 --join-share 0.2

What it does: starts a private PostgreSQL cluster on loopback (port 54343, `make pg-start`), an SMTP server on
loopback (aiosmtpd, in this process) as EMAIL_URL, then `make serve` (DEBUG off, a generated secret, gunicorn with
2 x cores + 1 workers, whitenoise, the email task worker `db_worker`) with DJANGO_SETTINGS_MODULE=bench.settings:
the production settings with only the captcha's test mode turned on (the production settings refuse it with DEBUG
off). It imports a synthetic SIRENE extract (`manage.py import_sirene`, backend `local`: every lookup hits the
local table), loads the demo data (the workspace catalogue) and creates a few structures with a primary manager.

Each virtual user (a thread with its own HTTP session, as a browser behind the TLS proxy: X-Forwarded-Proto https,
Origin) does one complete onboarding: GET step 1, POST login email + SIRET, GET + POST step 2 (the form as
pre-filled from SIRENE, with names, phone and the captcha), GET + POST step 3 (the default workspaces), GET the
confirmation, then waits for the activation email on the SMTP server, reads the link, GET + POST the activation
page (a strong password, a secret question and answer), GET the "account activated" page. A share of the users
(--join-share, 20 % by default) give the SIRET of an existing structure: step 2 is then an attachment request.

Prints onboardings per minute, the error count (target 0), p50/p99 of every request and of the email wait, and
the CPU cost of one onboarding: password hashing (the configured hasher's time for one hash, measured in this
process in the same run, x the hashes of one onboarding: the password and the secret answer) and the rest (CPU
time of the gunicorn web workers, of the email worker and of PostgreSQL, read from /proc before and after).
"""

import argparse
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import requests  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from bench.pages import _cpu_model, postgres_start, postgres_stop, wait_until_healthy  # noqa: E402

PYTHON = BASE_DIR / ".venv" / "bin" / "python"
HASHES_PER_ONBOARDING = 2  # accounts.services.user_activate: the password and the secret answer
EXISTING_STRUCTURES = 20
STEPS = [
    "step 1 GET",
    "step 1 POST",
    "step 2 GET",
    "step 2 POST",
    "step 3 GET",
    "step 3 POST",
    "done GET",
    "email wait",
    "activation GET",
    "activation POST",
    "activated GET",
]


# --- the SMTP server on loopback -------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler: keeps every message by recipient; a virtual user waits for its activation email."""

    def __init__(self):
        self.condition = threading.Condition()
        self.messages = defaultdict(list)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        with self.condition:
            for recipient in envelope.rcpt_tos:
                self.messages[recipient.lower()].append(text)
            self.count += 1
            self.condition.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, address, pattern, timeout):
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for text in self.messages.get(address, []):
                    match = pattern.search(text)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no activation email for {address} after {timeout} s")
                self.condition.wait(remaining)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a browser-like client -------------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The fields of the page's first POST form, as a browser would submit them (checked boxes only, the selected
    option, or the first one)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.in_form, self.done, self.select, self.textarea = [], False, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("method") or "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "select" and self.select is not None:
            name, first, selected = self.select
            self.fields.append((name, selected if selected is not None else first or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.in_form, self.done = False, True


def form_fields(html, **overrides):
    parser = FormParser()
    parser.feed(html)
    if not parser.fields:
        raise AssertionError("no POST form on the page")
    fields = [(name, value) for name, value in parser.fields if name not in overrides]
    for name, value in overrides.items():
        fields.extend((name, item) for item in (value if isinstance(value, list) else [value]))
    return fields


class StepError(Exception):
    pass


class Browser:
    def __init__(self, base, origin, timings):
        self.base, self.origin, self.timings = base, origin, timings
        self.session = requests.Session()
        # The cookies are Secure (the TLS proxy is left out): kept here and sent over the loopback connection.
        self.cookies = {}
        self.session.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "bench/onboarding"})

    def request(self, step, method, path, expect, data=None):
        headers = {"Origin": self.origin, "Referer": self.origin + path} if method == "POST" else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        response = self.session.request(
            method, self.base + path, data=data, headers=headers, allow_redirects=False, timeout=120
        )
        self.cookies.update(response.cookies.items())
        self.session.cookies.clear()
        self.timings[step].append(time.perf_counter() - started)
        if response.status_code != expect:
            Path(tempfile.gettempdir(), "bench-onboarding-error.html").write_text(response.text)
            snippet = re.sub(r"\s+", " ", response.text)
            errors = re.findall(r'class="errorlist[^"]*"[^>]*><li>([^<]{0,160})', response.text)
            raise StepError(
                f"{step} {path}: {response.status_code} (expected {expect}) {errors or snippet[:200]}"
            )
        return response

    def get(self, step, path):
        return self.request(step, "GET", path, 200)

    def post(self, step, path, data, then):
        response = self.request(step, "POST", path, 302, data=data)
        location = response.headers.get("Location", "")
        if not location.split("?")[0].endswith(then):
            raise StepError(f"{step} {path}: redirected to {location!r}, expected {then!r}")
        return location


PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)


def onboarding(number, siret, joining, base, origin, mailbox, link_pattern, timings, email_timeout):
    browser = Browser(base, origin, timings)
    email = f"vu{number}.{secrets.token_hex(3)}@bench-onboarding.example"
    page = browser.get("step 1 GET", "/fr/signup/")
    details = browser.post(
        "step 1 POST",
        "/fr/signup/",
        form_fields(page.text, email=email, siret=siret),
        "/fr/signup/information/",
    )
    page = browser.get("step 2 GET", details)
    overrides = {
        "email_confirmation": email,
        "last_name": "MARTIN",
        "first_name": f"Camille{number}",
        "phone": "01 23 45 67 89",
        "captcha_1": "PASSED",
    }
    fields = form_fields(page.text, **overrides)
    if ("corporate_name", "") in fields:  # the extract has no StockUniteLegale: the user types the name
        fields = [(name, value) for name, value in fields if name != "corporate_name"]
        fields.append(("corporate_name", f"SOCIETE BENCH {number}"))
    if joining != any(name == "scope" for name, _ in fields):
        raise StepError(
            f"step 2 GET: {'no attachment scope' if joining else 'no structure block'} for {siret}"
        )
    workspaces = browser.post("step 2 POST", details, fields, "/fr/signup/working-areas/")
    page = browser.get("step 3 GET", workspaces)
    done = browser.post("step 3 POST", workspaces, form_fields(page.text), "/fr/signup/done/")
    browser.get("done GET", done)

    started = time.perf_counter()
    match = mailbox.wait_for(email, link_pattern, email_timeout)
    timings["email wait"].append(time.perf_counter() - started)
    activation = match.group("path")
    page = browser.get("activation GET", activation)
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(14)) + "-7!"
    fields = form_fields(
        page.text,
        password1=password,
        password2=password,
        secret_question=None,  # replaced below: the first real question
        secret_answer=f"Nantes {number}",
    )
    questions = re.findall(r'<option value="([^"]+)"', page.text)
    fields = [(name, value) for name, value in fields if name != "secret_question"]
    fields.append(("secret_question", questions[0]))
    complete = browser.post("activation POST", activation, fields, "/fr/activation/complete/")
    browser.get("activated GET", complete)


# --- CPU time from /proc ---------------------------------------------------------------------------------------


def _stat(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return {"ppid": int(fields[1]), "session": int(fields[3]), "cpu": sum(int(x) for x in fields[11:15])}
    # utime + stime + cutime + cstime: the children already reaped (recycled workers, ended backends) count too


def _processes():
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            yield int(entry.name), argv, _stat(entry.name)
        except (OSError, IndexError, ValueError):
            continue


def cpu_seconds(serve_session, postmaster_pid):
    """CPU time (s) so far of the gunicorn processes, of the email worker and of the PostgreSQL cluster."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"web": 0, "email worker": 0, "postgresql": 0}
    for pid, argv, stat in _processes():
        if stat["session"] == serve_session and any(arg.endswith("/gunicorn") for arg in argv[:2]):
            totals["web"] += stat["cpu"]
        elif stat["session"] == serve_session and "db_worker" in argv:
            totals["email worker"] += stat["cpu"]
        elif pid == postmaster_pid or stat["ppid"] == postmaster_pid:
            totals["postgresql"] += stat["cpu"]
    return {key: value / tick for key, value in totals.items()}


def hash_seconds(env, rounds=20):
    """CPU seconds of one hash by the configured hasher, measured in a child with the server's settings."""
    snippet = (
        "import time, django; django.setup()\n"
        "from django.contrib.auth.hashers import get_hasher, make_password\n"
        "make_password('warm-up')\n"
        f"cpu, wall = time.process_time(), time.perf_counter()\n"
        f"for i in range({rounds}): make_password(f'Bench-Password-{{i}}!')\n"
        f"print(get_hasher().algorithm, (time.process_time() - cpu) / {rounds}, "
        f"(time.perf_counter() - wall) / {rounds})\n"
    )
    output = subprocess.run(
        [str(PYTHON), "-c", snippet], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return output[-3], float(output[-2]), float(output[-1])


SETUP_SNIPPET = """
import sys
from django.utils import timezone
from accounts.models import User
from structures.models import Establishment, Membership, Role, Structure
sirets = list(Establishment.objects.filter(is_active=True, is_non_diffusible=False)
              .order_by("siret").values_list("siret", flat=True)[:{limit}])
existing = sirets[:{existing}]
for index, siret in enumerate(existing):
    manager = User.objects.create(email=f"gp{{index}}@bench-existing.example", last_name="GESTIONNAIRE",
                                  first_name="Principal", email_verified_at=timezone.now())
    structure = Structure.objects.create(identifier_type="SIRET", identifier=siret,
                                         corporate_name=f"STRUCTURE EXISTANTE {{index}}", postal_code="75012",
                                         city="PARIS", address="1 RUE DE LA PAIX")
    Membership.objects.create(user=manager, structure=structure, role=Role.PRIMARY_MANAGER)
print(" ".join(sirets))
"""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--onboardings", type=int, default=300)
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users (default 50)")
    parser.add_argument("--join-share", type=float, default=0.2, help="share joining an existing structure")
    parser.add_argument("--pg-port", type=int, default=54343)
    parser.add_argument("--port", type=int, default=8343, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--email-timeout", type=float, default=300.0)
    args = parser.parse_args()

    load_before, started_at = os.getloadavg(), datetime.now(UTC)
    database_url = postgres_start(args.pg_port)
    postmaster_pid = int(  # the cluster of `make pg-start`
        Path(f"/tmp/chorus-portal-pg-{args.pg_port}/data/postmaster.pid").read_text().split()[0]  # noqa: S108
    )
    mailbox = Mailbox()
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    workdir = Path(tempfile.mkdtemp(prefix="bench-onboarding-"))
    origin = f"https://127.0.0.1:{args.port}"
    env = {
        **{key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "USER")},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PORTAL_CAPTCHA_TEST_MODE": "0",
        "PORTAL_ENVIRONMENT": "production",
        "PORTAL_BASE_URL": origin,
        "SIRENE_BACKENDS": "local",
        "STATIC_ROOT": str(workdir / "static"),
    }
    log = open(workdir / "serve.log", "wb")  # noqa: SIM115 (kept for the reader)
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={args.port}"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    timings, errors = defaultdict(list), []
    try:
        wait_until_healthy(base, server)
        subprocess.run([str(PYTHON), "manage.py", "load_demo_data"], cwd=BASE_DIR, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        stock = workdir / "StockEtablissement.csv"
        subprocess.run(
            [str(PYTHON), "-c", "import sys, django; django.setup(); from bench.sirene import write_stock; "
             "write_stock(sys.argv[1], int(sys.argv[2]))", str(stock), str(max(3 * args.onboardings, 1000))],
            cwd=BASE_DIR, env=env, check=True,
        )  # fmt: skip
        subprocess.run([str(PYTHON), "manage.py", "import_sirene", str(stock), "--no-progress"], cwd=BASE_DIR,
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        joiners = round(args.onboardings * args.join_share)
        fresh = args.onboardings - joiners
        sirets = subprocess.run(
            [str(PYTHON), "manage.py", "shell", "-c",
             SETUP_SNIPPET.format(limit=EXISTING_STRUCTURES + fresh, existing=EXISTING_STRUCTURES)],
            cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True,
        ).stdout.splitlines()[-1].split()  # fmt: skip
        existing, new = sirets[:EXISTING_STRUCTURES], sirets[EXISTING_STRUCTURES:]
        if len(new) < fresh:
            raise SystemExit(f"the extract has {len(new)} active diffusible SIRETs, {fresh} needed")
        plan = [(siret, False) for siret in new[:fresh]] + [
            (existing[i % len(existing)], True) for i in range(joiners)
        ]
        random.Random(42).shuffle(plan)
        link_pattern = re.compile(
            re.escape(origin) + r"(?P<path>/(?:fr|en)/activation/(?!new-link/)[^/\s\"<>]+/)"
        )

        hasher, hash_cpu, hash_wall = hash_seconds(env)
        # Warm-up: every worker imports, renders and connects before the clock starts.
        warm = Browser(base, origin, defaultdict(list))
        for _ in range(20):
            warm.get("warm-up", "/fr/signup/")
        cpu_before, load_start = cpu_seconds(server.pid, postmaster_pid), os.getloadavg()
        own_cpu_before = time.process_time()
        began = time.perf_counter()

        def run(index):
            siret, joining = plan[index]
            try:
                onboarding(index, siret, joining, base, origin, mailbox, link_pattern, timings,
                           args.email_timeout)  # fmt: skip
            except Exception as error:
                errors.append(f"#{index} ({'join' if joining else 'new'} {siret}): {error}")

        with ThreadPoolExecutor(max_workers=args.users) as pool:
            list(pool.map(run, range(len(plan))))
        elapsed = time.perf_counter() - began
        cpu_after = cpu_seconds(server.pid, postmaster_pid)
        own_cpu = time.process_time() - own_cpu_before
        emails = mailbox.count
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        smtp.stop()
        postgres_stop(args.pg_port)

    workers = re.search(r"with (\d+) workers", (workdir / "serve.log").read_text())
    done = len(plan) - len(errors)
    print()
    print(f"started {started_at:%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.platform()}")
    print(f"cpu: {_cpu_model()} x {os.cpu_count()}, load average before: "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, at the start of the load {load_start[0]:.2f}")  # fmt: skip
    print(f"gunicorn workers: {workers.group(1) if workers else '?'} (+ 1 email worker), {args.users} virtual "
          f"users, {len(plan)} onboardings ({fresh} new structures, {joiners} joining {len(existing)} existing "
          f"ones), {emails} emails received")  # fmt: skip
    print()
    print(f"onboardings completed: {done} in {elapsed:.1f} s = {done / elapsed * 60:.1f} per minute")
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    print()
    print(f"{'step':<18} {'count':>6} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for step in STEPS:
        values = timings.get(step, [])
        print(f"{step:<18} {len(values):>6} {percentile(values, 0.5) * 1000:>9.1f} "
              f"{percentile(values, 0.99) * 1000:>9.1f} {max(values, default=float('nan')) * 1000:>9.1f}")  # fmt: skip
    per = {key: (cpu_after[key] - cpu_before[key]) / max(done, 1) for key in cpu_after}
    hashing = hash_cpu * HASHES_PER_ONBOARDING
    server_total = per["web"] + per["email worker"] + per["postgresql"]
    print()
    print(f"CPU per onboarding (server side, /proc): {server_total * 1000:.0f} ms")
    print(f"  password hashing   {hashing * 1000:7.0f} ms  ({HASHES_PER_ONBOARDING} x {hasher} "
          f"{hash_cpu * 1000:.1f} ms CPU per hash, {hash_wall * 1000:.1f} ms wall; measured in this run)")  # fmt: skip
    print(f"  the rest           {(server_total - hashing) * 1000:7.0f} ms  (web workers {per['web'] * 1000:.0f} ms "
          f"of which hashing {hashing * 1000:.0f} ms, email worker {per['email worker'] * 1000:.0f} ms, "
          f"PostgreSQL {per['postgresql'] * 1000:.0f} ms)")  # fmt: skip
    print(f"  hashing share      {hashing / server_total:7.0%}")
    print(f"load generator CPU: {own_cpu / max(done, 1) * 1000:.0f} ms per onboarding (same machine)")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"server log: {workdir / 'serve.log'}")
    shutil.rmtree(workdir / "static", ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
