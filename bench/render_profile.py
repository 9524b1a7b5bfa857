"""In-process cost of the portal's pages, as multiples of a bare Django view measured in the same run.

    .venv/bin/python bench/render_profile.py                                 # every page, a private cluster
    .venv/bin/python bench/render_profile.py --database-url postgres://postgres@127.0.0.1:54347/chorus_profile
    .venv/bin/python bench/render_profile.py --profile home                  # + cProfile of one page
    .venv/bin/python bench/render_profile.py --templates login               # + time per template of one page
    .venv/bin/python bench/render_profile.py --queries account --requests 50 account   # + the SQL of one page
    .venv/bin/python bench/render_profile.py --calls                         # + Python calls per request

What it does: the production settings (DEBUG off, so the cached template loader, hashed static names from a
collectstatic into a temporary directory, `PORTAL_ENVIRONMENT=production`, the captcha for real), PostgreSQL
(a private cluster started with `make pg-start` unless --database-url is given; migrated, demo data loaded), then
every page requested through Django's WSGI handler itself (the whole middleware stack, as gunicorn calls it, no
test client instrumentation), as wrk sends them (X-Forwarded-Proto: https, no cookie but those of the pages
reached through a session: bench/page_fixtures.py). In rounds: the bare view, then each page, then the bare view
again; each page's figures are medians over the rounds of the mean per request, and its cost is divided by the mean of the bare view's two
neighbouring runs. CPU time (time.process_time) is what the shared machine disturbs least; the wall time includes
the waits on the database.

"x bare" is a page's CPU cost in multiples of the bare view's; "bare/page" its inverse, the in-process analogue of
bench/pages.py's throughput ratio (target: >= 20% through gunicorn, which adds the same HTTP cost to both sides).
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.page_fixtures import BARE, COOKIES, PAGES  # noqa: E402 (after the path above)


def configure(database_url, static_root):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "chorus_portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PORTAL_BASE_URL": "https://127.0.0.1",
            "DATABASE_URL": database_url,
            "PORTAL_CAPTCHA_TEST_MODE": "0",
            "PORTAL_ENVIRONMENT": "production",
            "PORTAL_BENCH_BARE_VIEW": "1",
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo_data", stdout=io.StringIO())


def prepare_cookies():
    """The cookies of the pages reached through a session (and the activation link: completes PAGES)."""
    from bench.page_fixtures import prepare

    prepared = prepare()
    PAGES.update(prepared["paths"])
    return prepared["cookies"]


class Driver:
    """Calls the WSGI application as gunicorn does, one GET at a time."""

    def __init__(self, cookies):
        from django.core.wsgi import get_wsgi_application

        self.application = get_wsgi_application()
        self.cookies = cookies

    def environ(self, label):
        path, _, query = PAGES[label].partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_USER_AGENT": "wrk",
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if label in COOKIES:
            environ["HTTP_COOKIE"] = self.cookies[COOKIES[label]]
        return environ

    def get(self, label):
        status = []
        environ = {**self.environ(label), "wsgi.input": io.BytesIO()}
        result = self.application(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            body = b"".join(result)
        finally:
            result.close()
        return status[0], body

    def run(self, label, count):
        """Mean CPU and wall milliseconds per request over ``count`` requests."""
        environ = self.environ(label)
        application, start_response = self.application, lambda s, headers, exc_info=None: None
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(count):
            result = application({**environ, "wsgi.input": io.BytesIO()}, start_response)
            b"".join(result)
            result.close()
        return (time.process_time() - cpu) * 1000 / count, (time.perf_counter() - wall) * 1000 / count


def save_html(driver, labels, directory):
    """Each page's HTML, with what changes from one request to the next blanked (so that two runs can be diffed)."""
    directory.mkdir(parents=True, exist_ok=True)
    variable = re.compile(
        r'(nonce="|name="csrfmiddlewaretoken" value="|/activation/|/captcha/image/|/captcha/audio/|'
        r'name="captcha_0" value="|id="id_captcha_0" value="|signup3\.bench\.)[^"/@]+'
    )
    for label in labels:
        _, body = driver.get(label)
        (directory / f"{label}.html").write_text(variable.sub(r"\1…", body.decode()))


def page_queries(driver, label):
    from django.db import connection

    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        driver.get(label)
    return queries


def template_breakdown(driver, label, count):
    """Inclusive and own (children excluded) milliseconds per request of every template rendered by one page."""
    from django.template.base import Template

    inclusive, own, calls, stack = {}, {}, {}, []
    original = Template.render

    def render(self, context):
        started = time.process_time()
        stack.append(0.0)
        try:
            return original(self, context)
        finally:
            elapsed = time.process_time() - started
            children = stack.pop()
            if stack:
                stack[-1] += elapsed
            name = self.origin.template_name if self.origin else "<string>"
            inclusive[name] = inclusive.get(name, 0.0) + elapsed
            own[name] = own.get(name, 0.0) + elapsed - children
            calls[name] = calls.get(name, 0) + 1

    Template.render = render
    try:
        for _ in range(count):
            driver.get(label)
    finally:
        Template.render = original
    print(f"\ntemplates rendered by {label} ({PAGES[label]}), CPU ms per request, {count} requests:")
    print(f"  {'template':<62} {'calls':>6} {'inclusive':>10} {'own':>8}")
    for name in sorted(inclusive, key=inclusive.get, reverse=True):
        print(
            f"  {name!s:<62} {calls[name] / count:>6.1f} {inclusive[name] * 1000 / count:>10.3f} "
            f"{own[name] * 1000 / count:>8.3f}"
        )


def profile(driver, label, count, top):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        driver.get(label)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\ncProfile of {label} ({PAGES[label]}), {count} requests, by {order}:")
        print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


def function_calls(driver, label, count=10):
    """Python function calls per request (cProfile's count after a warm-up): unlike CPU time, the same from one
    run to the next whatever the machine does, so a change shows even when the CPU speed swings."""
    driver.run(label, count)
    profiler = cProfile.Profile()
    profiler.enable()
    driver.run(label, count)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / count


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pages", nargs="*", help=f"labels among {', '.join(PAGES)} (default: all)")
    parser.add_argument("--requests", type=int, default=500, help="requests per page over all rounds (500)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of a private cluster")
    parser.add_argument("--pg-port", type=int, default=54346, help="the private cluster's port (54346)")
    parser.add_argument("--profile", metavar="LABEL", help="print a cProfile of this page")
    parser.add_argument("--templates", metavar="LABEL", help="print the time per template of this page")
    parser.add_argument("--queries", metavar="LABEL", help="print the SQL of one request of this page")
    parser.add_argument("--top", type=int, default=30, help="lines of the cProfile listings (30)")
    parser.add_argument(
        "--calls", action="store_true", help="add the Python function calls per request (deterministic)"
    )
    parser.add_argument(
        "--save-html",
        metavar="DIR",
        help="write each page's HTML there (nonces and tokens blanked), for a diff",
    )
    args = parser.parse_args()
    labels = [BARE] + [label for label in (args.pages or PAGES) if label != BARE]
    unknown = [label for label in labels if label not in PAGES]
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; choose among {', '.join(PAGES)}")

    database_url = args.database_url
    if not database_url:
        from bench.pages import postgres_start

        database_url = postgres_start(args.pg_port)
    static_root = tempfile.TemporaryDirectory(prefix="profile-static-")
    load_before = os.getloadavg()
    try:
        configure(database_url, static_root.name)
        driver = Driver(prepare_cookies())
        for label in labels:
            status, _body = driver.get(label)
            assert status.startswith("200"), f"{label} {PAGES[label]}: {status}"
        if args.save_html:
            save_html(driver, labels, Path(args.save_html))
        queries = {label: len(page_queries(driver, label)) for label in labels}
        calls = {label: function_calls(driver, label) for label in labels} if args.calls else {}
        if args.queries:
            print(f"\nqueries of {args.queries} ({PAGES[args.queries]}):")
            print("\n".join(f"  {sql}" for sql in page_queries(driver, args.queries)))
        for label in labels:  # warm-up
            driver.run(label, 20)

        per_round = max(1, args.requests // args.rounds)
        runs = {label: [] for label in labels}
        for _ in range(args.rounds):
            before = driver.run(BARE, per_round)
            runs[BARE].append(before)
            for label in labels[1:]:
                cpu, wall = driver.run(label, per_round)
                after = driver.run(BARE, per_round)
                runs[label].append((cpu, wall, cpu / ((before[0] + after[0]) / 2)))
                runs[BARE].append(after)
                before = after

        print(
            f"\nload average before: {' '.join(f'{x:.2f}' for x in load_before)}; {per_round} requests per page"
        )
        print(f"and per round, {args.rounds} rounds; medians over the rounds of the mean per request")
        print(
            f"\n{'page':<16} {'path':<44} {'CPU ms':>7} {'wall ms':>8} {'x bare':>7} {'bare/page':>9} {'queries':>7}"
            + (f" {'calls':>7}" if calls else "")
        )
        bare_cpu = statistics.median(run[0] for run in runs[BARE])
        bare_wall = statistics.median(run[1] for run in runs[BARE])
        print(
            f"{BARE:<16} {PAGES[BARE]:<44} {bare_cpu:>7.3f} {bare_wall:>8.3f} {'':>7} {'':>9} {queries[BARE]:>7}"
            + (f" {calls[BARE]:>7.0f}" if calls else "")
        )
        for label in labels[1:]:
            cpu = statistics.median(run[0] for run in runs[label])
            wall = statistics.median(run[1] for run in runs[label])
            ratio = statistics.median(run[2] for run in runs[label])
            path = PAGES[label] if len(PAGES[label]) <= 44 else PAGES[label][:41] + "..."
            print(
                f"{label:<16} {path:<44} {cpu:>7.3f} {wall:>8.3f} {ratio:>7.2f} {1 / ratio:>9.0%} "
                f"{queries[label]:>7}" + (f" {calls[label]:>7.0f}" if calls else "")
            )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        if args.templates:
            template_breakdown(driver, args.templates, per_round)
        if args.profile:
            profile(driver, args.profile, per_round, args.top)
    finally:
        static_root.cleanup()
        if not args.database_url:
            from bench.pages import postgres_stop

            postgres_stop(args.pg_port)


if __name__ == "__main__":
    main()
