"""Fixtures of the reliability suites: the SIRENE directory of the accounts tests (a real HTTP server on loopback
speaking API Sirene 3.11) and a helper running jobs at the same moment in real threads."""

import threading

from django.db import connections

from tests.accounts.conftest import SireneDirectory, sirene  # noqa: F401 (the fixture, shared)

__all__ = ["SireneDirectory", "run_together"]


def run_together(jobs: dict, *, timeout: float = 60) -> dict:
    """Run every job (name → callable) in its own thread; answer name → its result, or the exception it raised.

    Each thread uses its own database connection, closed when it ends."""
    results = {}

    def run(name, job):
        try:
            results[name] = job()
        except BaseException as error:  # reported by the test, never swallowed
            results[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name, job)) for name, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a job did not finish in time"
    return results
