from django.db.models import Prefetch

from structures.models import AttachmentRequest, Service, Structure


def structure_get_by_identifier(*, identifier_type: str, identifier: str) -> Structure | None:
    """The structure with this identifier, with its active services (two queries), or None."""
    return (
        Structure.objects.filter(identifier_type=identifier_type, identifier=identifier)
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.filter(is_active=True).order_by("name", "code"))
        )
        .first()
    )


def attachment_requests_pending_for_user(*, user):
    return AttachmentRequest.objects.filter(
        user=user, status=AttachmentRequest.Status.PENDING
    ).select_related("structure")
