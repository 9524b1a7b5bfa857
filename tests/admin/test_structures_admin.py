import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from structures.models import AttachmentRequest, Membership, ModerationAction, Role, Structure
from tests.admin.conftest import MODEL_BACKEND, saved_user
from tests.factories import MembershipFactory, ServiceFactory, StructureFactory, UserFactory

CHANGELIST = "admin:structures_structure_changelist"


def changelist_url(**params):
    url = reverse(CHANGELIST)
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


def test_anonymous_and_non_staff_are_sent_to_the_admin_login(client):
    response = client.get(changelist_url())
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(saved_user(), backend=MODEL_BACKEND)
    response = client.get(changelist_url())
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_a_group_is_refused(client):
    client.force_login(saved_user(is_staff=True), backend=MODEL_BACKEND)
    assert client.get(changelist_url()).status_code == 403


def test_changelist_shows_the_primary_manager_and_the_moderation_columns(moderator_client):
    manager = MembershipFactory(primary=True, user__email="gp@entreprise.fr")
    response = moderator_client.get(changelist_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "gp@entreprise.fr" in content
    assert manager.structure.identifier in content
    assert "À vérifier" in content or "To review" in content


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("gp@entreprise", "managed"),
        ("BOULANGERIE", "named"),
        ("quimper", "city"),
        ("SPACED_SIRET", "managed"),
    ],
)
def test_search(moderator_client, term, expected):
    managed = MembershipFactory(primary=True, user__email="gp@entreprise.fr").structure
    named = StructureFactory(corporate_name="BOULANGERIE DUPONT")
    city = StructureFactory(city="QUIMPER")
    # A mere member's email does not find the structure: only the primary manager's does.
    MembershipFactory(structure=named, user__email="membre@entreprise.fr")
    expected_pks = {
        "managed": {managed.pk},
        "named": {named.pk},
        "city": {city.pk},
    }[expected]
    if term == "SPACED_SIRET":
        siret = managed.identifier
        term = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    response = moderator_client.get(changelist_url(q=term))
    assert listed(response) == expected_pks


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "INACTIVE"}, "inactive"),
        ({"moderation__exact": "SUSPENDED"}, "suspended"),
        ({"is_private__exact": "0"}, "public"),
        ({"identifier_type__exact": "RIDET"}, "ridet"),
        ({"primary_manager": "yes"}, "managed"),
    ],
)
def test_filters(moderator_client, params, expected):
    structures = {
        "inactive": StructureFactory(status=Structure.Status.INACTIVE),
        "suspended": StructureFactory(moderation=Structure.Moderation.SUSPENDED),
        "public": StructureFactory(is_private=False),
        "ridet": StructureFactory(identifier_type="RIDET", identifier="1234567"),
        "managed": MembershipFactory(primary=True).structure,
    }
    response = moderator_client.get(changelist_url(**params))
    assert listed(response) == {structures[expected].pk}


def test_filter_without_primary_manager(moderator_client):
    orphan = StructureFactory()
    MembershipFactory(primary=True)
    response = moderator_client.get(changelist_url(primary_manager="no"))
    assert listed(response) == {orphan.pk}


def post_action(client, action, *objects, follow=False, **extra):
    return client.post(
        changelist_url(),
        {"action": action, "index": 0, "_selected_action": [o.pk for o in objects], **extra},
        follow=follow,
    )


def test_verify_goes_through_the_service_and_is_recorded(moderator_client, moderator):
    first, second = StructureFactory(), StructureFactory()
    response = post_action(moderator_client, "verify", first, second)
    assert response.status_code == 302
    for structure in (first, second):
        structure.refresh_from_db()
        assert structure.moderation == Structure.Moderation.VERIFIED
    records = ModerationAction.objects.filter(action=ModerationAction.Action.STRUCTURE_VERIFY)
    assert {(r.actor, r.structure) for r in records} == {(moderator, first), (moderator, second)}


def test_suspend_asks_a_reason_then_blocks_approvals(moderator_client, moderator):
    structure = StructureFactory()
    pending = AttachmentRequest.objects.create(user=UserFactory(), structure=structure)
    response = post_action(moderator_client, "suspend", structure)
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    structure.refresh_from_db()
    assert structure.moderation == Structure.Moderation.TO_REVIEW

    response = post_action(moderator_client, "suspend", structure, confirm="1", reason="")
    assert response.status_code == 200
    assert response.context["form"].errors

    response = post_action(moderator_client, "suspend", structure, confirm="1", reason="Fausse entreprise")
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.moderation == Structure.Moderation.SUSPENDED
    assert not structure.accepts_attachment_requests
    record = ModerationAction.objects.get(action=ModerationAction.Action.STRUCTURE_SUSPEND)
    assert (record.actor, record.details["reason"]) == (moderator, "Fausse entreprise")

    response = moderator_client.post(
        reverse("admin:structures_attachmentrequest_changelist"),
        {"action": "approve", "index": 0, "_selected_action": [pending.pk]},
        follow=True,
    )
    assert "suspendue" in response.content.decode() or "suspended" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AttachmentRequest.Status.PENDING


def test_verify_and_suspend_twice_change_nothing_twice(moderator_client):
    structure = StructureFactory()
    post_action(moderator_client, "verify", structure)
    response = post_action(moderator_client, "verify", structure, follow=True)
    assert any("déjà vérifiée" in str(m) for m in response.context["messages"])
    post_action(moderator_client, "suspend", structure, confirm="1", reason="Doublon")
    response = post_action(moderator_client, "suspend", structure, confirm="1", reason="Doublon", follow=True)
    assert any("déjà suspendue" in str(m) for m in response.context["messages"])
    response = post_action(moderator_client, "verify", structure, follow=True)
    assert any("réactivez-la" in str(m) for m in response.context["messages"])
    assert list(ModerationAction.objects.values_list("action", flat=True).order_by("pk")) == [
        ModerationAction.Action.STRUCTURE_VERIFY,
        ModerationAction.Action.STRUCTURE_SUSPEND,
    ]


def test_reactivate(moderator_client):
    structure = StructureFactory(moderation=Structure.Moderation.SUSPENDED)
    not_suspended = StructureFactory()
    response = post_action(moderator_client, "reactivate", structure, not_suspended, follow=True)
    structure.refresh_from_db()
    assert structure.moderation == Structure.Moderation.VERIFIED
    not_suspended.refresh_from_db()
    assert not_suspended.moderation == Structure.Moderation.TO_REVIEW
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 2
    assert ModerationAction.objects.filter(action=ModerationAction.Action.STRUCTURE_REACTIVATE).count() == 1


def test_verify_from_the_structure_page(moderator_client):
    structure = StructureFactory()
    url = reverse("admin:structures_structure_change", args=[structure.pk])
    response = moderator_client.post(
        url,
        {"CHANGE_FORM-action": "verify", "CHANGE_FORM-select_across": 0, "_selected_action": structure.pk},
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.moderation == Structure.Moderation.VERIFIED


def test_export_csv(moderator_client, moderator):
    managed = MembershipFactory(primary=True, user__email="gp@entreprise.fr").structure
    other = StructureFactory(corporate_name="=HYPERLINK(1)")
    response = post_action(moderator_client, "export_csv", managed, other)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 3
    assert rows[1][1] == managed.identifier and rows[1][9] == "gp@entreprise.fr"
    assert rows[2][2] == "'=HYPERLINK(1)"
    record = ModerationAction.objects.get(action=ModerationAction.Action.STRUCTURE_EXPORT)
    assert record.actor == moderator and record.details["count"] == 2


def test_structure_page_shows_services_members_and_pending_requests(moderator_client):
    membership = MembershipFactory(primary=True, user__email="gp@entreprise.fr")
    structure = membership.structure
    ServiceFactory(structure=structure, code="COMPTA", name="Comptabilité")
    AttachmentRequest.objects.create(user=UserFactory(email="demandeur@exemple.fr"), structure=structure)
    response = moderator_client.get(reverse("admin:structures_structure_change", args=[structure.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("COMPTA", "gp@entreprise.fr", "demandeur@exemple.fr", "appoint-primary-manager"):
        assert text in content
    assert '<input type="submit" value="Enregistrer"' not in content  # read-only page


def test_appoint_a_primary_manager_when_the_former_one_is_gone(
    moderator_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    former = MembershipFactory(primary=True, user__is_active=False)
    structure = former.structure
    newcomer = UserFactory(email="nouveau.gp@entreprise.fr")
    pending = AttachmentRequest.objects.create(user=newcomer, structure=structure)
    url = reverse("admin:structures_structure_appoint_primary_manager", args=[structure.pk])
    assert moderator_client.get(url).status_code == 200

    response = moderator_client.post(url, {"email": "inconnu@exemple.fr"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]

    inactive = UserFactory(not_activated=True)
    response = moderator_client.post(url, {"email": inactive.email})
    assert response.context["form"].errors["email"]

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(url, {"email": "NOUVEAU.gp@entreprise.fr"})
    assert response.status_code == 302
    former.refresh_from_db()
    assert not former.is_active
    assert (
        Membership.objects.get(structure=structure, is_active=True, role=Role.PRIMARY_MANAGER).user
        == newcomer
    )
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (AttachmentRequest.Status.APPROVED, moderator)
    record = ModerationAction.objects.get(action=ModerationAction.Action.PRIMARY_MANAGER_APPOINT)
    assert (record.actor, record.user, record.structure) == (moderator, newcomer, structure)
    assert [m.to for m in mailoutbox] == [["nouveau.gp@entreprise.fr"]]


def test_appointing_keeps_an_active_former_manager_as_secondary(administrator_client):
    former = MembershipFactory(primary=True)
    newcomer = UserFactory()
    url = reverse("admin:structures_structure_appoint_primary_manager", args=[former.structure.pk])
    administrator_client.post(url, {"email": newcomer.email})
    former.refresh_from_db()
    assert (former.is_active, former.role) == (True, Role.SECONDARY_MANAGER)


def test_structures_cannot_be_added_changed_or_deleted_in_the_admin(administrator_client):
    structure = StructureFactory()
    assert administrator_client.get(reverse("admin:structures_structure_add")).status_code == 403
    assert (
        administrator_client.get(
            reverse("admin:structures_structure_delete", args=[structure.pk])
        ).status_code
        == 403
    )
    response = administrator_client.post(
        reverse("admin:structures_structure_change", args=[structure.pk]), {"corporate_name": "AUTRE"}
    )
    assert response.status_code == 403


def test_changelist_queries_do_not_grow_with_rows(moderator_client):
    def queries_for_the_page():
        with CaptureQueriesContext(connection) as queries:
            response = moderator_client.get(changelist_url(q="ENTREPRISE", moderation__exact="TO_REVIEW"))
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    for _ in range(10):
        MembershipFactory(primary=True)
        StructureFactory()
    few = queries_for_the_page()
    for _ in range(90):
        MembershipFactory(primary=True)
        StructureFactory()
    many = queries_for_the_page()
    assert (few[1], many[1]) == (20, 50)
    # The rows shown add no query; only a full page runs the (capped) count: the rows of a list that fits on its
    # page are its count (chorus_portal.admin.FastChangeList.get_results).
    assert few[0] + 1 == many[0] <= 9


def test_structure_page_shows_its_workspaces_read_only(moderator_client):
    from structures.services import structure_workspaces_set

    membership = MembershipFactory(primary=True)
    structure_workspaces_set(by=membership.user, structure=membership.structure, codes=["commitments"])
    response = moderator_client.get(
        reverse("admin:structures_structure_change", args=[membership.structure.pk])
    )
    content = response.content.decode()
    assert "espaces de la structure" in content.lower() or "workspaces of the structure" in content.lower()
    assert "Engagements" in content or "Commitments" in content
    assert 'name="workspaces-0-workspace"' not in content  # read-only: changed by the managers' service only
