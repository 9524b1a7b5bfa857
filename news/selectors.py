from django.utils import timezone

from news.models import News


def news_published():
    """Published news whose date has come, newest first."""
    return News.objects.filter(is_published=True, published_on__lte=timezone.localdate())
