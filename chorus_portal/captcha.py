"""The signup's captcha (django-simple-captcha), with its challenge stored by one written-out statement.

Every display of a form with a captcha stores a new challenge (a row of ``CaptchaStore``: the answer, a random key,
an expiry). The library stores it with ``CaptchaStore.objects.create()``, whose compilation by the ORM costs more
CPU than the insert itself on signup step 2, the busiest form of the portal. ``captcha_challenge_create`` writes
the same row (same columns, same rules: the answer in lower case, the expiry ``CAPTCHA_TIMEOUT`` minutes ahead, a
40-character key) with one INSERT; checking the answer, the image and the audio stay the library's.
"""

import datetime
import secrets

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.db import connections, router
from django.utils import timezone


def captcha_challenge_create(*, generator=None) -> str:
    """Store a new challenge and return its key."""
    challenge, response = captcha_settings.get_challenge(generator)()
    hashkey = secrets.token_hex(20)
    expiration = timezone.now() + datetime.timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT))
    connection = connections[router.db_for_write(CaptchaStore)]
    quote, meta = connection.ops.quote_name, CaptchaStore._meta
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("challenge", "response", "hashkey", "expiration")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608 (names quoted)
            [challenge, response.lower(), hashkey, connection.ops.adapt_datetimefield_value(expiration)],
        )
    return hashkey


class PortalCaptchaTextInput(CaptchaTextInput):
    def fetch_captcha_store(self, name, value, attrs=None, generator=None):
        if captcha_settings.CAPTCHA_GET_FROM_POOL:
            return super().fetch_captcha_store(name, value, attrs, generator)
        # What the library's method keeps for render() and the template, the key from our insert.
        self._key = captcha_challenge_create(generator=generator)
        self._value = [self._key, ""]
        self.id_ = self.build_attrs(attrs).get("id", None)


class PortalCaptchaField(CaptchaField):
    def __init__(self, *args, **kwargs):
        if "widget" not in kwargs:
            kwargs["widget"] = PortalCaptchaTextInput(
                id_prefix=kwargs.pop("id_prefix", None), generator=kwargs.pop("generator", None)
            )
        super().__init__(*args, **kwargs)
