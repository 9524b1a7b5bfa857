import factory
from django.utils import timezone
from stdnum import luhn

from accounts.models import User
from news.models import News
from structures.models import IdentifierType, Membership, Role, Service, Structure

DEFAULT_PASSWORD = "Ch0rus-Pro-Facture!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"fournisseur{n}@example.fr")
    last_name = "DUPOND"
    first_name = "Stéphanie"
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(DEFAULT_PASSWORD)

    class Params:
        # Created by a signup, not yet activated: no usable password.
        not_activated = factory.Trait(email_verified_at=None, password=factory.django.Password(None))


class NewsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = News

    body_fr = factory.Sequence(lambda n: f"Actualité numéro {n}")
    body_en = factory.Sequence(lambda n: f"News item number {n}")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    identifier_type = IdentifierType.SIRET
    # Luhn-valid SIRETs: SIREN 831285978 with varying NIC.
    identifier = factory.Sequence(lambda n: luhn_complete(f"83128597{n % 10_000:05d}"))
    corporate_name = factory.Sequence(lambda n: f"ENTREPRISE {n}")
    address = "19 B RUE DE COTTE"
    postal_code = "75012"
    city = "PARIS 12"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    structure = factory.SubFactory(StructureFactory)
    code = factory.Sequence(lambda n: f"SERVICE-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = Role.USER

    class Params:
        primary = factory.Trait(role=Role.PRIMARY_MANAGER)
        secondary = factory.Trait(role=Role.SECONDARY_MANAGER)


def luhn_complete(partial: str) -> str:
    """Append the digit that makes ``partial`` pass the Luhn check."""
    return partial + luhn.calc_check_digit(partial)
