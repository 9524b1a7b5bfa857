"""Django's PostgreSQL backend, with a health check that costs no round trip when the connection is quiet.

With ``CONN_HEALTH_CHECKS``, Django checks a kept connection at its first use in each request by sending
``SELECT 1``: a round trip and ~0.13 ms of the web process's CPU on every page that reads the database (6 % of
"Mon Compte", bench/RESULTS.md). A connection that the server closed meanwhile (a restart, a failover,
``pg_terminate_backend``, an idle timeout) has something to read on its socket: the server's last message, then the
end of the stream. So the check first asks the socket, without waiting: nothing to read on an idle, healthy
connection means it is usable; anything to read (or a connection not idle) gets Django's ``SELECT 1``, which reads it.
A close the socket does not show yet (a message already buffered by TLS, a network that drops without a word) ends
as without any check: the request's query fails, the page is the 503 page, and the next request reconnects.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg import pq


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def _quiet(self):
        """Whether the kept connection is idle, outside a transaction, with nothing from the server to read."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        info = connection.info
        if info.status != pq.ConnStatus.OK or info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
