"""The SIRENE directory: one lookup entry point over the backends of ``settings.SIRENE_BACKENDS``.

    >>> lookup_siret("831 285 978 00019")
    SireneResult(status=<SireneStatus.FOUND: 'FOUND'>, siret='83128597800019', corporate_name='LE CHAT QUI PECHE', ...)

The backends are tried in order: an UNAVAILABLE answer moves to the next one, any other answer is final.
``SIRENE_TIMEOUT`` bounds the whole lookup: the backends share it, so slow directories do not add up. The
answers of the remote backends (found, closed, unknown) are cached for ``SIRENE_CACHE_SECONDS``; the local table
is read directly, so a new import is seen at once.
"""

import contextlib
import dataclasses
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from structures.identifiers import validate_siret
from structures.sirene.backends import BACKENDS
from structures.sirene.results import SireneResult, SireneStatus, unavailable, unknown

__all__ = ["SireneResult", "SireneStatus", "lookup_siret"]

logger = logging.getLogger(__name__)

CACHE_KEY = "sirene:siret:{}"


def lookup_siret(siret: str) -> SireneResult:
    """What the SIRENE directory says about ``siret`` (spaces and dots accepted). Never raises."""
    try:
        siret = validate_siret(siret)
    except ValidationError:
        return unknown(siret, "")
    deadline = time.monotonic() + settings.SIRENE_TIMEOUT
    cache_checked = False
    for name in settings.SIRENE_BACKENDS:
        name = name.strip()
        backend_class = BACKENDS.get(name)
        if backend_class is None:
            logger.error("SIRENE_BACKENDS names an unknown backend %r", name)
            continue
        if name != "local" and not cache_checked:
            cache_checked = True
            cached = cache.get(CACHE_KEY.format(siret))
            if cached is not None:
                with contextlib.suppress(TypeError, KeyError, ValueError):  # an entry of another version
                    return SireneResult(**{**cached, "status": SireneStatus(cached["status"])})
        result = backend_class().lookup(siret, deadline=deadline)
        if result.status == SireneStatus.UNAVAILABLE:
            continue
        if name != "local":
            cache.set(
                CACHE_KEY.format(siret), dataclasses.asdict(result), timeout=settings.SIRENE_CACHE_SECONDS
            )
        return result
    return unavailable(siret)
