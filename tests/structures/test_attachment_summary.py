"""The counts of the connected pages (menu, connected home, "Mes rattachements aux structures") in one query."""

from django.utils import timezone

from structures.models import AttachmentRequest
from structures.selectors import user_attachment_summary, user_has_attachment
from tests.factories import MembershipFactory, StructureFactory, UserFactory


def test_summary_counts_only_the_users_rows_in_one_query(django_assert_num_queries):
    user, other = UserFactory(), UserFactory()
    MembershipFactory(user=user)
    MembershipFactory(user=user, secondary=True)
    MembershipFactory(user=user, primary=True, is_active=False)
    MembershipFactory(user=other, primary=True)
    AttachmentRequest.objects.create(user=user, structure=StructureFactory())
    for status in (AttachmentRequest.Status.REFUSED, AttachmentRequest.Status.CANCELLED):
        AttachmentRequest.objects.create(
            user=user, structure=StructureFactory(), status=status, decided_at=timezone.now()
        )
    approved = AttachmentRequest.Status.APPROVED
    AttachmentRequest.objects.create(
        user=user, structure=StructureFactory(), status=approved, decided_at=timezone.now()
    )
    AttachmentRequest.objects.create(user=other, structure=StructureFactory())

    with django_assert_num_queries(1):
        summary = user_attachment_summary(user=user)
        # Read once per request: kept on the user object.
        assert user_attachment_summary(user=user) is summary
        assert user_has_attachment(user=user)
    assert (summary.attachments, summary.managed, summary.pending, summary.closed) == (2, 1, 1, 2)


def test_summary_of_a_user_without_rows():
    user = UserFactory()
    summary = user_attachment_summary(user=user)
    assert (summary.attachments, summary.managed, summary.pending, summary.closed) == (0, 0, 0, 0)
    assert not user_has_attachment(user=user)


def test_a_pending_request_alone_counts_as_an_attachment_step_done():
    user = UserFactory()
    AttachmentRequest.objects.create(user=user, structure=StructureFactory())
    assert user_has_attachment(user=user)
