from django.core.management.base import BaseCommand

from news.services import news_load_seed
from structures.services import structures_load_demo_public


class Command(BaseCommand):
    help = "Load the demo data of the embedded defaults (news of the official guides). Safe to run again."

    def handle(self, *args, **options):
        created = news_load_seed()
        self.stdout.write(f"News: {created} created.")
        created = structures_load_demo_public()
        self.stdout.write(f"Public structures: {created} created.")
