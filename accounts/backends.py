from django.contrib.auth.backends import ModelBackend

from accounts.selectors import user_by_pk
from chorus_portal.sessions import session_user


class UserBackend(ModelBackend):
    """Django's model backend (login by the login email, permissions), whose user of a request is the one read
    with its session (chorus_portal.sessions), else a prepared statement (``accounts.selectors.user_by_pk``)."""

    def get_user(self, user_id):
        if type(user_id) is not int:
            return None
        user = session_user(user_id) or user_by_pk.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
