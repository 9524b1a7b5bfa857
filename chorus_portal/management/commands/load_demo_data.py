from django.core.management.base import BaseCommand

from news.services import news_load_seed
from structures.sirene.stock import sirene_demo_load


class Command(BaseCommand):
    help = "Load the demo data of the embedded defaults (news of the official guides, SIRENE demo extract). Safe to run again."

    def handle(self, *args, **options):
        created = news_load_seed()
        self.stdout.write(f"News: {created} created.")
        self.stdout.write(f"SIRENE demo extract: {sirene_demo_load()} establishments inserted.")
