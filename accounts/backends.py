from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from chorus_portal.queries import PreparedRead

# The read of every logged-in request: compiled once per process (chorus_portal.queries).
_user_by_pk = PreparedRead(User, lambda pk: User._default_manager.filter(pk=pk), pk=int)


class UserBackend(ModelBackend):
    """Django's model backend (login by the login email, permissions), whose read of the session's user is a
    prepared statement."""

    def get_user(self, user_id):
        if not isinstance(user_id, int):
            return None
        user = _user_by_pk.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
