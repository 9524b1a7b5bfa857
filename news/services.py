import datetime

from django.db import transaction

from news.models import News

SEED_NEWS = [
    {
        "published_on": datetime.date(2016, 9, 16),
        "body_fr": (
            "Chorus Pro remplace Chorus Factures pour la transmission et le suivi de vos factures dématérialisées "
            "à destination des services de l'Etat ainsi que de collectivités et établissements publics pilotes : "
            "métropole de Lille, communauté de commune de Parthenay-Gâtines, commune de La Monédières-Bains, "
            "conseil départemental de l'Aube, Vosges Habitat, lycée Bernart de Ventadour ainsi que la ville et la "
            "métropole de Bordeaux."
        ),
        "body_en": (
            "Chorus Pro replaces Chorus Factures for sending and tracking your electronic invoices to State "
            "services and to pilot local authorities and public bodies: Lille metropolis, the Parthenay-Gâtine "
            "community of municipalities, the municipality of La Monédières-Bains, the Aube departmental council, "
            "Vosges Habitat, Bernart de Ventadour high school, and the city and metropolis of Bordeaux."
        ),
    },
]


@transaction.atomic
def news_load_seed():
    """Create or refresh the news items of the official guide (seed 003). Returns how many were created."""
    created = 0
    for item in SEED_NEWS:
        _, was_created = News.objects.update_or_create(
            published_on=item["published_on"],
            body_fr=item["body_fr"],
            defaults={"body_en": item["body_en"], "is_published": True},
        )
        created += was_created
    return created
