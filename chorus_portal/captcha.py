"""The signup's captcha (django-simple-captcha), with its challenge stored by one written-out statement.

Every display of a form with a captcha stores a new challenge (a row of ``CaptchaStore``: the answer, a random key,
an expiry). The library stores it with ``CaptchaStore.objects.create()``, whose compilation by the ORM costs more
CPU than the insert itself on signup step 2, the busiest form of the portal. ``captcha_challenge_create`` writes
the same row (same columns, same rules: the answer in lower case, the expiry ``CAPTCHA_TIMEOUT`` minutes ahead, a
40-character key) with one INSERT; checking the answer, the image and the audio stay the library's.

The widget's markup (the image, its audio link, the hidden key and the answer's input) is the same on every
display but for the key: it is rendered once per process for each name, attributes, language and URL prefix,
with a stand-in where the key goes, then each display puts its own key there.
"""

import datetime
import secrets

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.db import connections, router
from django.utils import timezone
from django.utils.safestring import mark_safe

from chorus_portal.markup_cache import MarkupCache, url_context

# Where the challenge's key goes in a kept rendering: a key of its own shape (the URLs accept only such keys), which
# no markup holds otherwise.
_KEY_STAND_IN = secrets.token_hex(20)
_WIDGETS = MarkupCache(size=100)


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

    def render(self, name, value, attrs=None, renderer=None):
        self.fetch_captcha_store(name, value, attrs, self.generator)
        hashkey = self._key
        try:
            key = (
                name,
                tuple(sorted((attrs or {}).items())),
                tuple(sorted(self.attrs.items())),
                self.id_prefix,
                type(renderer),
                *url_context(),
                captcha_settings.CAPTCHA_FLITE_PATH,
            )
            markup = _WIDGETS.get(key, lambda: self._render_with_key(_KEY_STAND_IN, name, attrs, renderer))
        except TypeError:  # an attribute whose value cannot be a key
            return self._render_with_key(hashkey, name, attrs, renderer)
        self._key, self._value = hashkey, [hashkey, ""]
        return mark_safe(markup.replace(_KEY_STAND_IN, hashkey))  # noqa: S308 (the library's markup, a hex key)

    def _render_with_key(self, hashkey, name, attrs, renderer):
        """The library's rendering (CaptchaTextInput.render without its fetch) for ``hashkey``."""
        self._key, self._value = hashkey, [hashkey, ""]
        return super(CaptchaTextInput, self).render(name, self._value, attrs=attrs, renderer=renderer)


class PortalCaptchaField(CaptchaField):
    def __init__(self, *args, **kwargs):
        if "widget" not in kwargs:
            kwargs["widget"] = PortalCaptchaTextInput(
                id_prefix=kwargs.pop("id_prefix", None), generator=kwargs.pop("generator", None)
            )
        super().__init__(*args, **kwargs)
