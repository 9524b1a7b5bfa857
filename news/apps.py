from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News")

    def ready(self):
        from news.models import News
        from news.selectors import news_for_home_forget

        post_save.connect(news_for_home_forget, sender=News, dispatch_uid="news_for_home_forget_save")
        post_delete.connect(news_for_home_forget, sender=News, dispatch_uid="news_for_home_forget_delete")
