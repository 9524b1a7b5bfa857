import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from structures.models import AttachmentRequest, Membership, Role, Scope, Service, Structure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StructureData:
    """What a person types (or SIRENE pre-fills) to declare a new structure."""

    identifier_type: str
    identifier: str
    corporate_name: str
    label: str = ""
    address: str = ""
    address_complement_1: str = ""
    address_complement_2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FR"
    is_non_diffusible: bool = False
    feature_payment_requests: bool = True
    feature_dume: bool = False


@transaction.atomic
def structure_create(*, data: StructureData, created_by) -> Structure:
    """Create a structure with ``created_by`` as its active primary manager.

    Raises ``IntegrityError`` when a structure with the same identifier exists (the caller decides what then).
    """
    structure = Structure.objects.create(
        identifier_type=data.identifier_type,
        identifier=data.identifier,
        corporate_name=data.corporate_name,
        label=data.label,
        address=data.address,
        address_complement_1=data.address_complement_1,
        address_complement_2=data.address_complement_2,
        postal_code=data.postal_code,
        city=data.city,
        country=data.country,
        is_non_diffusible=data.is_non_diffusible,
        feature_payment_requests=data.feature_payment_requests,
        feature_dume=data.feature_dume,
        created_by=created_by,
    )
    Membership.objects.create(
        user=created_by,
        structure=structure,
        role=Role.PRIMARY_MANAGER,
        scope=Scope.STRUCTURE,
        updated_by=created_by,
    )
    return structure


@transaction.atomic
def attachment_request_create(
    *, user, structure: Structure, scope: str = Scope.STRUCTURE, services: Iterable[Service] = ()
) -> AttachmentRequest:
    """Ask to be attached to ``structure`` (whole structure or some of its services); its managers decide.

    A second request while one is pending returns the pending one (at most one per user and structure).
    """
    services = [service for service in services if service.structure_id == structure.pk]
    if scope == Scope.SERVICES and not services:
        raise ValueError("A request limited to services needs at least one service of the structure.")
    try:
        with transaction.atomic():
            request = AttachmentRequest.objects.create(
                user=user, structure=structure, scope=scope if services else Scope.STRUCTURE
            )
    except IntegrityError:
        return AttachmentRequest.objects.get(
            user=user, structure=structure, status=AttachmentRequest.Status.PENDING
        )
    if services:
        request.services.set(services)
    return request


@dataclass(frozen=True)
class StructureClaim:
    """The outcome of declaring a structure: created (primary manager) or a pending attachment request."""

    structure: Structure
    created: bool
    attachment_request: AttachmentRequest | None = None


@transaction.atomic
def structure_create_or_request_attachment(*, data: StructureData, user) -> StructureClaim:
    """Create the structure with ``user`` as primary manager or, when someone created the same identifier
    first (even a moment ago, in a concurrent transaction), ask to be attached to theirs instead."""
    try:
        with transaction.atomic():
            structure = structure_create(data=data, created_by=user)
    except IntegrityError:
        structure = Structure.objects.get(identifier_type=data.identifier_type, identifier=data.identifier)
        logger.info(
            "Structure %s %s was created by someone else meanwhile: attachment request for user %s instead",
            data.identifier_type,
            data.identifier,
            user.pk,
        )
        request = attachment_request_create(user=user, structure=structure, scope=Scope.STRUCTURE)
        return StructureClaim(structure=structure, created=False, attachment_request=request)
    return StructureClaim(structure=structure, created=True)
