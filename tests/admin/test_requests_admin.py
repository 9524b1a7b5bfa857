import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from structures import services
from structures.models import AttachmentRequest, Membership, ModerationAction, Role, Structure
from tests.factories import MembershipFactory, ServiceFactory, StructureFactory, UserFactory

CHANGELIST = "admin:structures_attachmentrequest_changelist"


def make_request(days_ago=0, **kwargs):
    kwargs.setdefault("user", UserFactory())
    kwargs.setdefault("structure", StructureFactory())
    return AttachmentRequest.objects.create(
        created_at=timezone.now() - datetime.timedelta(days=days_ago), **kwargs
    )


def post_action(client, action, *requests, follow=False, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "index": 0, "_selected_action": [r.pk for r in requests], **extra},
        follow=follow,
    )


def listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize(("days", "expected"), [("7", {"old", "older"}), ("15", {"older"}), ("30", set())])
def test_stuck_filter(moderator_client, days, expected):
    requests = {
        "fresh": make_request(days_ago=2),
        "old": make_request(days_ago=10),
        "older": make_request(days_ago=20),
    }
    decided = make_request(days_ago=40)
    decided.status, decided.decided_at = AttachmentRequest.Status.CANCELLED, timezone.now()
    decided.save()
    response = moderator_client.get(reverse(CHANGELIST), {"stuck": days})
    assert listed(response) == {requests[name].pk for name in expected}


def test_filter_on_structures_without_an_active_primary_manager(moderator_client):
    orphan = make_request()
    gone = MembershipFactory(primary=True, user__is_active=False)
    gone_request = make_request(structure=gone.structure)
    managed = make_request(structure=MembershipFactory(primary=True).structure)
    response = moderator_client.get(reverse(CHANGELIST), {"primary_manager": "no"})
    assert listed(response) == {orphan.pk, gone_request.pk}
    response = moderator_client.get(reverse(CHANGELIST), {"primary_manager": "yes"})
    assert listed(response) == {managed.pk}


def test_approve_attaches_the_requester_and_emails_them(
    moderator_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    service = ServiceFactory()
    request = make_request(structure=service.structure, user=UserFactory(email="demandeur@exemple.fr"))
    request.scope = "SERVICES"
    request.save()
    request.services.add(service)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(moderator_client, "approve", request)
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (AttachmentRequest.Status.APPROVED, moderator)
    membership = Membership.objects.get(user=request.user, structure=request.structure, is_active=True)
    assert membership.role == Role.USER and list(membership.services.all()) == [service]
    assert [m.to for m in mailoutbox] == [["demandeur@exemple.fr"]]
    assert "validée" in mailoutbox[0].subject  # the requester's language (French by default)
    record = ModerationAction.objects.get(action=ModerationAction.Action.REQUEST_APPROVE)
    assert (record.actor, record.attachment_request) == (moderator, request)


def test_approving_twice_is_refused_with_a_message(moderator_client):
    request = make_request()
    post_action(moderator_client, "approve", request)
    response = post_action(moderator_client, "approve", request, follow=True)
    assert any("déjà été traitée" in str(m) for m in response.context["messages"])
    assert Membership.objects.filter(user=request.user).count() == 1


def test_refuse_asks_an_optional_reason_and_emails_it(
    moderator_client, mailoutbox, django_capture_on_commit_callbacks
):
    request = make_request(user=UserFactory(language="en"))
    response = post_action(moderator_client, "refuse", request)
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(moderator_client, "refuse", request, confirm="1", reason="Inconnu du service")
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reason) == (AttachmentRequest.Status.REFUSED, "Inconnu du service")
    assert "refused" in mailoutbox[0].subject
    assert "Inconnu du service" in mailoutbox[0].body
    assert not Membership.objects.filter(user=request.user).exists()


def test_appoint_the_requester_when_the_structure_has_no_primary_manager(moderator_client, moderator):
    gone = MembershipFactory(primary=True, user__is_active=False)
    request = make_request(structure=gone.structure)
    managed_request = make_request(structure=MembershipFactory(primary=True).structure)
    response = post_action(moderator_client, "appoint_requester", request, managed_request, follow=True)
    manager = Membership.objects.get(structure=gone.structure, is_active=True, role=Role.PRIMARY_MANAGER)
    assert manager.user == request.user
    request.refresh_from_db()
    assert request.status == AttachmentRequest.Status.APPROVED
    managed_request.refresh_from_db()
    assert managed_request.status == AttachmentRequest.Status.PENDING
    assert len(list(response.context["messages"])) == 2
    assert (
        ModerationAction.objects.filter(action=ModerationAction.Action.PRIMARY_MANAGER_APPOINT).count() == 1
    )


def test_requests_are_read_only_in_the_admin(administrator_client):
    request = make_request()
    assert administrator_client.get(reverse("admin:structures_attachmentrequest_add")).status_code == 403
    url = reverse("admin:structures_attachmentrequest_change", args=[request.pk])
    assert administrator_client.get(url).status_code == 200
    assert administrator_client.post(url, {"status": "APPROVED"}).status_code == 403
    request.refresh_from_db()
    assert request.status == AttachmentRequest.Status.PENDING


def test_a_structure_manager_decides_through_the_same_service_but_a_stranger_cannot():
    manager = MembershipFactory(secondary=True)
    request = make_request(structure=manager.structure)
    with pytest.raises(PermissionDenied):
        services.attachment_request_approve(request=request, by=UserFactory())
    services.attachment_request_refuse(request=request, by=manager.user, reason="")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (AttachmentRequest.Status.REFUSED, manager.user)


def test_waiting_days_column(moderator_client):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=12)):
        make_request()
    response = moderator_client.get(reverse(CHANGELIST))
    assert '<td class="field-waiting_days">12</td>' in response.content.decode()


def test_suspended_structure_refuses_approvals_in_the_service(moderator):
    request = make_request(structure=StructureFactory(moderation=Structure.Moderation.SUSPENDED))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.attachment_request_approve(request=request, by=moderator)
    assert error.value.code == "structure_suspended"


def test_queue_queries_do_not_grow_with_rows(moderator_client):
    def queries_for_the_page():
        with CaptureQueriesContext(connection) as queries:
            response = moderator_client.get(reverse(CHANGELIST), {"stuck": "7", "status__exact": "PENDING"})
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    structure = MembershipFactory(primary=True).structure
    for index in range(20):
        make_request(days_ago=8 + index, structure=structure if index % 2 else StructureFactory())
    few = queries_for_the_page()
    for index in range(180):
        make_request(days_ago=8 + index, structure=StructureFactory())
    many = queries_for_the_page()
    assert (few[1], many[1]) == (20, 100)
    # The rows shown add no query; only a full page runs the (capped) count: the rows of a list that fits on its
    # page are its count (chorus_portal.admin.FastChangeList.get_results).
    assert few[0] + 1 == many[0] <= 8
