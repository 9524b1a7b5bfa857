"""Django's database sessions, each read with its user in one statement.

The session is read on every request of a signed-in user or of a signup in progress, and the user of a signed-in
session right after it (``django.contrib.auth.get_user``). The portal's session model (``accounts.Session``) keeps
the user's id in a column, written from the session's data when it is saved, so the read of the session joins its
user: a signed-in page sends one statement for both instead of two. The read is a prepared read
(chorus_portal.queries): Django's store builds it with the ORM on each request, whose compilation costs ten times
the statement itself (bench/RESULTS.md). Everything else (writes, expiry, keys, ``clearsessions``) is Django's own
store, unchanged.

On a GET or HEAD of a portal page (one that shows its user's menu; not the admin's), the same statement also brings
what every connected page reads of its user (``structures.selectors.user_connected_json_sql``: the counts, the
workspaces and the catalogue, as JSON text), kept on the user read with the session: a signed-in page starts with
one statement instead of two. A POST reads its session alone: its writes come after, and the page it shows reads
its user's menu after them.

The user read with the session reaches the authentication backend through ``session_user``: the portal's
authentication middleware (``AuthenticationMiddleware`` below) lends the request's session to the backend while
Django's ``get_user`` runs, and the backend takes the user from it only when it is the user the session's data
names; Django's checks (the session's hash of the password, the active flag) apply to it as to a user read alone.
"""

import json
from contextvars import ContextVar
from datetime import datetime
from functools import cache

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.sessions.backends import db
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from chorus_portal.queries import PreparedRead

# The session of the request whose user Django's get_user is reading, while it reads it.
_session_reading_user = ContextVar("session_reading_user", default=None)


def _session_model():
    from accounts.models import Session

    return Session


@cache
def _session_with_user(connected):
    """The prepared read of a session, unexpired, and its user (made once the models are loaded); ``connected``:
    with what the connected pages read of the user (``connected_rows``, JSON text)."""
    from django.db import connection
    from django.db.models import TextField
    from django.db.models.expressions import RawSQL

    from structures.selectors import user_connected_json_sql

    session = _session_model()
    column = session._meta.get_field("user").column
    user_column = f"{connection.ops.quote_name(session._meta.db_table)}.{connection.ops.quote_name(column)}"

    def read(key, now):
        queryset = session.objects.filter(session_key=key, expire_date__gt=now).select_related("user")
        if connected:
            sql, params = user_connected_json_sql(user_column=user_column)
            # The statement is written from the models' names, its values are parameters.
            connected_rows = RawSQL(sql, params, output_field=TextField())  # noqa: S611
            queryset = queryset.annotate(connected_rows=connected_rows)
        return queryset

    return PreparedRead(session, read, key=str, now=datetime)


# Session data already verified by this process: the signed text -> its payload, serialized. A session read again
# (the next pages of a person signed in or signing up) loads a copy of its payload instead of checking its signature
# and decoding it again (~60 µs of a page, bench/RESULTS.md). Only a text whose signature the current keys accept is
# kept; the keys changing empties it (tests); a process reads its settings once.
_VERIFIED = {}
_VERIFIED_SIZE = 5000  # emptied when reached: the sessions in use come back at once


@receiver(setting_changed)
def _forget_verified(*, setting, **kwargs):
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"):
        _VERIFIED.clear()


class SessionStore(db.SessionStore):
    _user_read = None
    # Set by the middleware for a request whose page shows its user's menu (a portal page, GET or HEAD): the
    # session's read brings what the connected pages read first (structures.selectors.user_connected_json_sql) in
    # the same statement. Not for a POST, whose writes come after the session is read, nor for the admin.
    reads_connected_user = False

    @classmethod
    def get_model_class(cls):
        return _session_model()

    def decode(self, session_data):
        payload = _VERIFIED.get(session_data)
        if payload is not None:
            return self.serializer().loads(payload)
        session = super().decode(session_data)  # {} when the signature or the data is wrong
        if session:
            if len(_VERIFIED) >= _VERIFIED_SIZE:
                _VERIFIED.clear()
            _VERIFIED[session_data] = self.serializer().dumps(session)
        return session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = int(user_id) if isinstance(user_id, str) and user_id.isdigit() else None
        return instance

    def _get_session_from_db(self):
        if self.session_key is None:  # no cookie, or a key that is not one of ours
            return None
        connected = self.reads_connected_user
        instance = _session_with_user(connected).first(key=self.session_key, now=timezone.now())
        if instance is None:
            self._session_key = None
            return None
        self._user_read = instance.user  # None: nobody logged in on it, or the user is gone
        if connected and instance.user is not None and instance.connected_rows is not None:
            from structures.selectors import user_connected_keep

            user_connected_keep(user=instance.user, rows=json.loads(instance.connected_rows))
        return instance

    def user_read_with_session(self, user_id):
        """The user read with the session when it is ``user_id``, else None (read it alone)."""
        self._get_session()  # loaded, if it was not yet
        user = self._user_read
        return user if user is not None and user.pk == user_id else None


def session_user(user_id):
    """For the authentication backend: the user ``user_id`` as read with the session of the request whose user is
    being read, or None."""
    session = _session_reading_user.get()
    if session is None or not isinstance(session, SessionStore):
        return None
    return session.user_read_with_session(user_id)


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        token = _session_reading_user.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session_reading_user.reset(token)
        # Once read, ``request.user`` is the user itself (as after ``login()``), so that the page's many reads of
        # it no longer go through the lazy object.
        request.user = request._cached_user
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, whose lazy ``request.user`` lets the backend take the user read with the session, and whose
    session brings what the portal's pages show of their user (``SessionStore.reads_connected_user``)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The page is known, its session not read yet: a portal page shown by a GET shows its user's menu; the
        # admin's pages do not.
        if (
            request.method in ("GET", "HEAD")
            and isinstance(request.session, SessionStore)
            and "admin" not in request.resolver_match.namespaces
        ):
            request.session.reads_connected_user = True
