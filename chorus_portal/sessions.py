"""Django's database sessions, with the read of a session written out as one statement.

The session is read on every request of a signed-in user or of a signup in progress. Django's store builds that read
with the ORM (``Session.objects.get(session_key=…, expire_date__gt=now)``), whose compilation costs ~0.5 ms of CPU
per request here, ten times the statement itself (bench/RESULTS.md). Everything else (writes, expiry, keys, the
table) is Django's own store, unchanged.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model, session_key = self.model, self.session_key
        if session_key is None:  # no cookie, or a key that is not one of ours
            return None
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        fields = {
            name: quote(model._meta.get_field(name).column)
            for name in ("session_key", "session_data", "expire_date")
        }
        sql = (
            f"SELECT {fields['session_data']} FROM {quote(model._meta.db_table)} "  # noqa: S608 (names quoted, values bound)
            f"WHERE {fields['session_key']} = %s AND {fields['expire_date']} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=session_key, session_data=row[0])
