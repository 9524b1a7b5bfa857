import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from news.models import News

HOME_NEWS_COUNT = 5
# How long the home pages' news may be read from the shared cache; a news item saved or deleted through the
# models (admin, services) clears it at once (news.apps), a bulk update of the table only after this delay.
HOME_NEWS_CACHE_SECONDS = 300


def news_published():
    """Published news whose date has come, newest first."""
    return News.objects.filter(is_published=True, published_on__lte=timezone.localdate())


def _home_news_key():
    return f"news:home:{timezone.localdate().isoformat()}"  # a new day shows the news dated that day


@dataclass(frozen=True)
class HomeNews:
    """The news of the home pages and the version of that list: a new one each time the list is read from the
    table, shared through the cache by every process, so that the pages keep the news' markup per version
    (``{% static_fragment news.version %}``)."""

    entries: list
    version: str


def news_for_home() -> HomeNews:
    """The latest published news of the home pages (anonymous and connected), from the shared cache: one cheap
    cache read instead of a query built by the ORM on every home page."""
    key = _home_news_key()
    news = cache.get(key)
    if not isinstance(news, HomeNews):  # not cached yet (or cached by an earlier version of the portal)
        news = HomeNews(entries=list(news_published()[:HOME_NEWS_COUNT]), version=uuid.uuid4().hex)
        cache.set(key, news, HOME_NEWS_CACHE_SECONDS)
    return news


def news_for_home_forget(**kwargs):
    """Receiver of News saves and deletes: the home pages show the change once it is committed."""
    transaction.on_commit(lambda: cache.delete(_home_news_key()))
