from django.contrib.auth.backends import ModelBackend

from accounts.selectors import user_by_pk


class UserBackend(ModelBackend):
    """Django's model backend (login by the login email, permissions), whose read of the session's user is a
    prepared statement (``accounts.selectors.user_by_pk``)."""

    def get_user(self, user_id):
        if type(user_id) is not int:
            return None
        user = user_by_pk.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
