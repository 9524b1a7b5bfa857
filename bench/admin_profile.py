"""Where the time of one admin change list page goes: CPU, SQL (each query's time), and a cProfile of the page.

    DATABASE_URL=postgres://postgres@127.0.0.1:54336/chorus_bench .venv/bin/python bench/admin_profile.py \
        "/fr/admin/structures/structure/" "/fr/admin/structures/structure/?q=QUIMPER" [--profile] [--requests 30]

Run on the database that bench/directory.py filled (1,000,000 structures), as its superuser, through the Django
test client (the whole middleware stack, DEBUG off), as bench/directory.py measures. For each URL: the mean wall
and CPU time (time.process_time) per request over --requests requests after a warm-up, the queries of one request
with their time, and with --profile the functions where the CPU goes (cProfile, cumulative and own time).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def template_breakdown(client, url, count):
    """Inclusive and own (children excluded) CPU milliseconds per request of every template the page renders
    (as bench/render_profile.py --templates)."""
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
            client.get(url)
    finally:
        Template.render = original
    print(f"  {'template':<62} {'calls':>6} {'inclusive':>10} {'own':>8}")
    for name in sorted(inclusive, key=inclusive.get, reverse=True):
        print(f"  {name!s:<62} {calls[name] / count:>6.1f} {inclusive[name] * 1000 / count:>10.3f} "
              f"{own[name] * 1000 / count:>8.3f}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--lines", type=int, default=35)
    parser.add_argument("--templates", action="store_true", help="CPU time of each template rendered")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    admin = User.objects.get(email="bench-directory@chorus-pro.example")  # created by bench/directory.py
    client = Client()
    client.force_login(admin, backend="accounts.backends.UserBackend")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for url in args.urls:
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        walls, cpus = [], []
        for _ in range(args.requests):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(url)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        sql = sum(float(query["time"]) for query in queries.captured_queries)
        print(f"\n{url}\n  wall p50 {statistics.median(walls) * 1000:.1f} ms, CPU mean "
              f"{statistics.mean(cpus) * 1000:.1f} ms, {len(queries)} queries ({sql * 1000:.1f} ms, with DEBUG's "
              f"recording)")  # fmt: skip
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:220]}")
        if args.templates:
            template_breakdown(client, url, args.requests)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler)
            by_file = {}
            for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
                key = filename.split("site-packages/")[-1]
                by_file[key] = by_file.get(key, 0.0) + tottime
            total = sum(by_file.values())
            print(f"  own time by file (share of {total:.2f} s under the profiler):")
            for key in sorted(by_file, key=by_file.get, reverse=True)[: args.lines]:
                print(f"  {by_file[key] / total:6.1%}  {key}")
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.lines)
                print(out.getvalue())
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
