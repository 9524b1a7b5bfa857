from django.core.management.base import BaseCommand

from news.services import news_load_seed
from structures.services import structures_load_demo_public
from structures.sirene.stock import sirene_demo_load


class Command(BaseCommand):
    help = (
        "Load the demo data of the embedded defaults (news of the official guides, public structures, SIRENE demo "
        "extract). Safe to run again."
    )

    def handle(self, *args, **options):
        created = news_load_seed()
        self.stdout.write(f"News: {created} created.")
        created = structures_load_demo_public()
        self.stdout.write(f"Public structures: {created} created.")
        self.stdout.write(f"SIRENE demo extract: {sirene_demo_load()} establishments inserted.")
