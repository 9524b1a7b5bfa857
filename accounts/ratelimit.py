"""Fixed-window rate limits kept in the shared cache (the database cache, so every web process agrees)."""

import hashlib
import time

from django.core.cache import cache


def _cache_key(scope: str, key: str, period: int) -> str:
    window = int(time.time() // period)
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{window}:{digest}"


def rate_limit_count(*, scope: str, key: str, period: int) -> int:
    """Attempts counted for ``key`` in ``scope`` in the current window."""
    return cache.get(_cache_key(scope, key, period)) or 0


def rate_limit_hit(*, scope: str, key: str, limit: int, period: int) -> bool:
    """Count one attempt for ``key`` in ``scope``; True when it goes over ``limit`` in the current window of
    ``period`` seconds."""
    cache_key = _cache_key(scope, key, period)
    count = (cache.get(cache_key) or 0) + 1
    cache.set(cache_key, count, timeout=period)
    return count > limit


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
