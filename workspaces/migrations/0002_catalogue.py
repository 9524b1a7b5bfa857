"""The workspace catalogue of the official guides (seeds 000 EN and 001 FR), plus "Sollicitations émises".

"Sollicitations émises" and "Factures émises" are opened by default for every new account (seeds 001/004).
"""

from django.db import migrations

CATALOGUE = [
    # code, label_fr, label_en, description_fr, description_en, is_default
    (
        "sent-requests",
        "Sollicitations émises",
        "Sent requests",
        "Réservé au dépôt et au suivi de vos sollicitations auprès du support de Chorus Pro",
        "Submit and view your requests to the Chorus Pro support",
        True,
    ),
    (
        "ict-refund-requests",
        "Demande de remboursement TIC",
        "ICT refund request",
        "Réservé au dépôt des demandes de remboursement TIC",
        "Submit and view ICT refund requests",
        False,
    ),
    (
        "commitments",
        "Engagements",
        "Commitments",
        "Visualisation des commandes de l'Etat",
        "View the commitments of the French State",
        False,
    ),
    (
        "invoices-to-validate",
        "Factures à valider",
        "Invoices to validate",
        "Réservé à la validation des sous-traitants et cotraitants",
        "Validate Invoices - restricted to invoice validators (e.g : subcontracting case)",
        False,
    ),
    (
        "work-invoices",
        "Factures de travaux",
        "Work Invoices",
        "Réservé au dépôt de factures de travaux (fournisseurs, MOE, MOA)",
        "Submit and view the work Invoices (only)",
        False,
    ),
    (
        "issued-invoices",
        "Factures émises",
        "Issued invoices",
        "Réservé au dépôt et à la visualisation des factures émises à destination des structures publiques",
        "Submit and view the Issued Invoices",
        True,
    ),
    (
        "justice-costs-invoices",
        "Mémoires de frais de justice",
        "Justice costs Invoices",
        "Réservé au dépôt de mémoires de frais de justice",
        "Submit and view justice costs invoices - restricted to providers of Justice costs Invoices",
        False,
    ),
    (
        "edi-api-connections",
        "Raccordement EDI et API",
        "EDI and API connections",
        "Permet de demander et de suivre le raccordement de vos structures pour l'utilisation des modes EDI et API",
        "Create and view the EDI and API connections - Restricted to structures that requested an EDI (or API) connection",
        False,
    ),
    (
        "data-flow-overview",
        "Suivi des flux",
        "Data flow overview",
        "Réservé aux structures raccordées émettant des flux EDI",
        "View the status of data flows - restricted to connected structures that have sent data flows",
        False,
    ),
]


def load_catalogue(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    for position, (code, label_fr, label_en, description_fr, description_en, is_default) in enumerate(
        CATALOGUE, start=1
    ):
        Workspace.objects.update_or_create(
            code=code,
            defaults={
                "label_fr": label_fr,
                "label_en": label_en,
                "description_fr": description_fr,
                "description_en": description_en,
                "is_default": is_default,
                "position": position * 10,
                "is_available": True,
            },
        )


def unload_catalogue(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Workspace.objects.filter(code__in=[row[0] for row in CATALOGUE], activations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
