"""Signed, expiring, single-use tokens for the links sent by email (activation, password reset).

A token is ``signing.dumps`` of the user's id and a fingerprint of the state the link is meant to change (password
hash, ``email_verified_at``, last login, active flag), salted per purpose and time-stamped. It expires after the
purpose's maximum age, and it dies as soon as it has been used because using it changes that state. No table.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from accounts.selectors import user_by_pk, verified_user_by_pk
from chorus_portal.queries import PreparedRead


class TokenError(Exception):
    """Why a link cannot be used: ``code`` is "invalid" (tampered or unknown), "expired" or "used".
    ``user`` is set when the link did name a user (an expired or used link)."""

    def __init__(self, code: str, user: User | None = None):
        super().__init__(code)
        self.code = code
        self.user = user


@dataclass(frozen=True)
class EmailLinkTokens:
    salt: str
    max_age_setting: str
    users: PreparedRead  # the accounts a link of this purpose may name, by primary key

    @property
    def max_age(self) -> int:
        return getattr(settings, self.max_age_setting)

    def _fingerprint(self, user: User) -> str:
        state = f"{user.pk}|{user.password}|{user.email_verified_at}|{user.last_login}|{user.is_active}"
        return salted_hmac(self.salt, state, algorithm="sha256").hexdigest()[:32]

    def make(self, user: User) -> str:
        return signing.dumps({"u": user.pk, "s": self._fingerprint(user)}, salt=self.salt)

    def check(self, token: str) -> User:
        """The user the token was made for, if it is still valid; raises ``TokenError`` otherwise."""
        try:
            payload = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.SignatureExpired:
            payload = self._payload_ignoring_age(token)
            raise TokenError("expired", user=self._user(payload)) from None
        except signing.BadSignature:
            raise TokenError("invalid") from None
        user = self._user(payload)
        if user is None or not user.is_active:
            raise TokenError("invalid")
        if not constant_time_compare(str(payload.get("s", "")), self._fingerprint(user)):
            raise TokenError("used", user=user)
        return user

    def _payload_ignoring_age(self, token: str) -> dict:
        try:
            return signing.loads(token, salt=self.salt)
        except signing.BadSignature:  # pragma: no cover (an expired token has a valid signature)
            return {}

    def _user(self, payload) -> User | None:
        if not isinstance(payload, dict) or type(payload.get("u")) is not int:
            return None
        return self.users.first(pk=payload["u"])


activation_tokens = EmailLinkTokens(
    salt="accounts.activation", max_age_setting="ACCOUNT_ACTIVATION_MAX_AGE", users=user_by_pk
)
password_reset_tokens = EmailLinkTokens(
    salt="accounts.password_reset", max_age_setting="PASSWORD_RESET_TIMEOUT", users=verified_user_by_pk
)
