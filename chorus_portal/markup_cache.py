"""Markup rendered once per process and reused: the fixed parts of the layout (``{% static_fragment %}``), the
selects of fixed option lists (``FixedOptionsSelect``) and the field groups of the forms (``PortalBoundField``).

What is kept is a function of the code, the settings, the language and the key's other parts: every process computes
the same markup, so it is not state that several web processes would have to share (like the cached template
loader's templates). Each cache has a size limit (emptied when it is reached: the keys in use come back at once)
and every cache is emptied when a setting changes (tests).
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language


def url_context():
    """What markup holding translations and URLs depends on beyond its own values, as part of a key: the active
    language, the script prefix and the URLconf."""
    return get_language(), get_script_prefix(), get_urlconf()


class MarkupCache:
    _every: list["MarkupCache"] = []

    def __init__(self, *, size):
        self.size = size
        self._entries = {}
        MarkupCache._every.append(self)

    def get(self, key, render):
        """The markup kept under ``key``, or ``render()``'s, kept. A key that cannot be hashed raises TypeError."""
        markup = self._entries.get(key)
        if markup is None:
            if len(self._entries) >= self.size:
                self._entries.clear()
            markup = self._entries[key] = render()
        return markup

    def __len__(self):
        return len(self._entries)

    def clear(self):
        self._entries.clear()


@receiver(setting_changed)
def _forget_markup(**kwargs):
    for cache in MarkupCache._every:
        cache.clear()
