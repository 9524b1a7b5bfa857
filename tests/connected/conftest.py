import pytest

from tests.factories import MembershipFactory, StructureFactory, UserFactory
from workspaces.models import Workspace


@pytest.fixture
def workspaces(db):
    """Two workspaces of the catalogue (the catalogue itself is loaded by the signup branch's migration)."""
    return [
        Workspace.objects.update_or_create(
            code="factures-emises",
            defaults={
                "label_fr": "Factures émises",
                "label_en": "Issued invoices",
                "description_fr": "Déposer et suivre vos factures",
                "description_en": "Submit and follow your invoices",
                "is_default": True,
                "position": 1,
            },
        )[0],
        Workspace.objects.update_or_create(
            code="sollicitations-emises",
            defaults={
                "label_fr": "Sollicitations émises",
                "label_en": "Sent requests",
                "description_fr": "Vos demandes au support",
                "description_en": "Your requests to the support",
                "is_default": True,
                "position": 2,
            },
        )[0],
    ]


@pytest.fixture
def supplier(db):
    return UserFactory(email="stephanie.dupond@example.fr", first_name="Stéphanie", last_name="DUPOND")


@pytest.fixture
def structure_with_manager(db):
    """A structure with its primary manager; returns (structure, manager)."""
    structure = StructureFactory(corporate_name="M A SOCIETE")
    manager = UserFactory(email="jean.martin@example.fr", first_name="Jean", last_name="MARTIN")
    MembershipFactory(user=manager, structure=structure, primary=True)
    return structure, manager


def login(client, user):
    """Log ``user`` in without a password (the first backend, axes', does not load users from the session)."""
    client.force_login(user, backend="accounts.backends.UserBackend")
