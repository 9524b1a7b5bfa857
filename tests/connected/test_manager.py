import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from structures import services
from structures.models import AttachmentRequest, Event, Membership, Role
from tests.connected.conftest import login
from tests.factories import MembershipFactory, ServiceFactory, StructureFactory, UserFactory


def pending(structure, **kwargs):
    return AttachmentRequest.objects.create(
        user=kwargs.pop("user", None) or UserFactory(), structure=structure
    )


@pytest.mark.parametrize(
    ("lang", "title"), [("fr", "Activités du gestionnaire"), ("en", "Manager activities")]
)
def test_manager_page_lists_pending_requests(
    client, structure_with_manager, lang, title, django_assert_num_queries
):
    structure, manager = structure_with_manager
    other = StructureFactory()
    MembershipFactory(user=manager, structure=other, secondary=True)
    for _ in range(3):
        pending(structure)
        pending(other)
    pending(StructureFactory(corporate_name="NOT MINE"))
    login(client, manager)
    # session, its user and the menu (manager? and open workspaces): one query; pending requests, their services,
    # managed structures
    with django_assert_num_queries(4):
        response = client.get(f"/{lang}/gestionnaire/")
    page = response.content.decode()
    assert title in page
    assert page.count('name="requests"') == 6
    assert "NOT MINE" not in page


def test_manager_page_is_for_managers_only(client, supplier):
    MembershipFactory(user=supplier)
    login(client, supplier)
    assert client.get("/fr/gestionnaire/").status_code == 403


def test_approve_several_at_once(
    client, structure_with_manager, mailoutbox, django_capture_on_commit_callbacks
):
    structure, manager = structure_with_manager
    requests = [pending(structure) for _ in range(3)]
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/fr/gestionnaire/decisions/",
            {"requests": [r.pk for r in requests[:2]], "decision": "approve"},
            follow=True,
        )
    assert "2 demandes validées." in response.content.decode()
    assert Membership.objects.filter(structure=structure, role=Role.USER, is_active=True).count() == 2
    assert {tuple(m.to) for m in mailoutbox} == {(r.user.email,) for r in requests[:2]}
    assert "approved" in mailoutbox[0].subject or "validée" in mailoutbox[0].subject
    requester_event = Event.objects.get(user=requests[0].user, kind=Event.Kind.REQUEST_APPROVED)
    assert requester_event.actor == manager
    assert Event.objects.filter(user=manager, kind=Event.Kind.APPROVED_BY_YOU).count() == 2


def test_refuse_with_a_reason(client, structure_with_manager, mailoutbox, django_capture_on_commit_callbacks):
    structure, manager = structure_with_manager
    request = pending(structure)
    request.user.language = "en"
    request.user.save()
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/fr/gestionnaire/decisions/",
            {"requests": [request.pk], "decision": "refuse", "reason": "Inconnu dans nos effectifs"},
        )
    request.refresh_from_db()
    assert request.status == AttachmentRequest.Status.REFUSED and request.decided_by == manager
    assert not Membership.objects.filter(user=request.user).exists()
    assert "refused" in mailoutbox[0].subject
    assert "Inconnu dans nos effectifs" in mailoutbox[0].body
    login(client, request.user)
    home = client.get("/en/").content.decode()
    assert "was refused by Jean MARTIN" in home and "Inconnu dans nos effectifs" in home
    history = client.get(f"/fr/gestionnaire/structures/{structure.pk}/")
    assert history.status_code == 404  # the requester is no manager
    login(client, manager)
    history = client.get(f"/fr/gestionnaire/structures/{structure.pk}/").content.decode()
    assert "Refusée" in history and "Inconnu dans nos effectifs" in history


def test_decision_without_selection_says_so(client, structure_with_manager):
    structure, manager = structure_with_manager
    pending(structure)
    login(client, manager)
    response = client.post("/en/gestionnaire/decisions/", {"decision": "approve"})
    assert response.status_code == 400
    assert "Select at least one request." in response.content.decode()


def test_approving_twice_leaves_one_decision(
    client, structure_with_manager, mailoutbox, django_capture_on_commit_callbacks
):
    structure, manager = structure_with_manager
    request = pending(structure)
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fr/gestionnaire/decisions/", {"requests": [request.pk], "decision": "approve"})
    second = client.post(
        "/fr/gestionnaire/decisions/", {"requests": [request.pk], "decision": "refuse"}, follow=True
    )
    assert "déjà été traitées" in second.content.decode()
    request.refresh_from_db()
    assert request.status == AttachmentRequest.Status.APPROVED
    assert Membership.objects.filter(user=request.user).count() == 1
    assert len(mailoutbox) == 1
    with pytest.raises(ValidationError):
        services.attachment_request_decide(request_id=request.pk, by=manager, approve=True)


# --- a user of structure A can never act on structure B ---------------------------------------------------------


@pytest.fixture
def two_structures(structure_with_manager):
    structure_a, manager_a = structure_with_manager
    structure_b = StructureFactory(corporate_name="STRUCTURE B")
    manager_b = UserFactory()
    MembershipFactory(user=manager_b, structure=structure_b, primary=True)
    member_b = MembershipFactory(structure=structure_b)
    return structure_a, manager_a, structure_b, manager_b, member_b


def test_manager_of_a_cannot_decide_on_b(client, two_structures):
    _structure_a, manager_a, structure_b, _, _ = two_structures
    request_b = pending(structure_b)
    with pytest.raises(PermissionDenied):
        services.attachment_request_decide(request_id=request_b.pk, by=manager_a, approve=True)
    login(client, manager_a)
    response = client.post("/fr/gestionnaire/decisions/", {"requests": [request_b.pk], "decision": "approve"})
    assert response.status_code == 302
    request_b.refresh_from_db()
    assert request_b.status == AttachmentRequest.Status.PENDING


def test_manager_of_a_cannot_touch_members_or_services_of_b(client, two_structures):
    structure_a, manager_a, structure_b, _, member_b = two_structures
    service_b = ServiceFactory(structure=structure_b, name="Compta")
    for action in (
        services.membership_detach,
        services.primary_manager_transfer,
        services.member_activation_resend_claim,
    ):
        with pytest.raises(PermissionDenied):
            action(structure=structure_b, membership_id=member_b.pk, by=manager_a)
    with pytest.raises(PermissionDenied):
        services.membership_role_set(
            structure=structure_b, membership_id=member_b.pk, by=manager_a, role=Role.SECONDARY_MANAGER
        )
    with pytest.raises(PermissionDenied):
        services.service_create(structure=structure_b, by=manager_a, code="X", name="X")
    # Through the site: B's pages and actions do not exist for A's manager, and A's URLs do not reach B's rows.
    login(client, manager_a)
    base = f"/fr/gestionnaire/structures/{structure_b.pk}"
    assert client.get(f"{base}/").status_code == 404
    for suffix in ("role", "detacher", "activation", "transfert"):
        assert (
            client.post(
                f"{base}/utilisateurs/{member_b.pk}/{suffix}/", {"role": "SECONDARY_MANAGER"}
            ).status_code
            == 404
        )
        client.post(f"/fr/gestionnaire/structures/{structure_a.pk}/utilisateurs/{member_b.pk}/{suffix}/")
    assert client.post(f"{base}/services/{service_b.pk}/", {"name": "Piraté"}).status_code == 404
    client.post(f"/fr/gestionnaire/structures/{structure_a.pk}/services/{service_b.pk}/", {"name": "Piraté"})
    member_b.refresh_from_db()
    service_b.refresh_from_db()
    assert member_b.is_active and member_b.role == Role.USER
    assert service_b.name == "Compta" and service_b.is_active


def test_simple_user_cannot_manage(client, two_structures):
    _, _, structure_b, _, member_b = two_structures
    other = MembershipFactory(structure=structure_b)
    with pytest.raises(PermissionDenied):
        services.membership_detach(structure=structure_b, membership_id=other.pk, by=member_b.user)
    request = pending(structure_b)
    with pytest.raises(PermissionDenied):
        services.attachment_request_decide(request_id=request.pk, by=member_b.user, approve=True)


# --- users and roles -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_structure_page_queries_are_bounded(client, structure_with_manager, lang, django_assert_num_queries):
    structure, manager = structure_with_manager
    for _ in range(4):
        MembershipFactory(structure=structure)
        ServiceFactory(structure=structure)
        request = pending(structure)
        services.attachment_request_decide(request_id=request.pk, by=manager, approve=False)
    login(client, manager)
    # session, its user and the menu (manager? with the open workspaces): one query; my membership, members, their
    # services, services, workspaces of the structure, decisions count + page
    with django_assert_num_queries(8):
        response = client.get(f"/{lang}/gestionnaire/structures/{structure.pk}/")
    assert response.status_code == 200


def test_secondary_manager_role_and_back(client, structure_with_manager):
    structure, manager = structure_with_manager
    member = MembershipFactory(structure=structure)
    login(client, manager)
    url = f"/fr/gestionnaire/structures/{structure.pk}/utilisateurs/{member.pk}/role/"
    client.post(url, {"role": "SECONDARY_MANAGER"})
    member.refresh_from_db()
    assert member.role == Role.SECONDARY_MANAGER
    login(client, member.user)
    assert client.get("/fr/gestionnaire/").status_code == 200
    assert "Activités du gestionnaire" in client.get("/fr/").content.decode()
    login(client, manager)
    client.post(url, {"role": "USER"})
    member.refresh_from_db()
    assert member.role == Role.USER
    assert Event.objects.filter(user=member.user, kind=Event.Kind.ROLE_CHANGED).count() == 2


def test_nobody_changes_the_primary_managers_role_but_by_transfer(structure_with_manager):
    structure, manager = structure_with_manager
    secondary = MembershipFactory(structure=structure, secondary=True)
    primary = Membership.objects.get(user=manager)
    with pytest.raises(ValidationError):
        services.membership_role_set(
            structure=structure, membership_id=primary.pk, by=secondary.user, role=Role.USER
        )
    with pytest.raises(ValidationError):
        services.membership_detach(structure=structure, membership_id=primary.pk, by=secondary.user)


def test_detach_a_user(client, structure_with_manager):
    structure, manager = structure_with_manager
    member = MembershipFactory(structure=structure)
    login(client, manager)
    client.post(f"/en/gestionnaire/structures/{structure.pk}/utilisateurs/{member.pk}/detacher/")
    member.refresh_from_db()
    assert not member.is_active
    assert Event.objects.get(user=member.user, kind=Event.Kind.DETACHED).actor == manager


def test_transfer_the_primary_role(client, structure_with_manager):
    structure, manager = structure_with_manager
    member = MembershipFactory(structure=structure)
    login(client, manager)
    client.post(f"/fr/gestionnaire/structures/{structure.pk}/utilisateurs/{member.pk}/transfert/")
    member.refresh_from_db()
    assert member.role == Role.PRIMARY_MANAGER
    assert Membership.objects.get(user=manager, structure=structure).role == Role.SECONDARY_MANAGER
    # the former primary manager cannot transfer any more
    with pytest.raises(PermissionDenied):
        services.primary_manager_transfer(
            structure=structure, membership_id=Membership.objects.get(user=manager).pk, by=manager
        )


def test_transfer_only_to_an_activated_member(structure_with_manager):
    structure, manager = structure_with_manager
    member = MembershipFactory(structure=structure, user=UserFactory(not_activated=True))
    with pytest.raises(ValidationError):
        services.primary_manager_transfer(structure=structure, membership_id=member.pk, by=manager)
    secondary = MembershipFactory(structure=structure, secondary=True)
    with pytest.raises(PermissionDenied):  # a secondary manager never transfers the primary role
        services.primary_manager_transfer(structure=structure, membership_id=member.pk, by=secondary.user)


def test_resend_activation(client, structure_with_manager, mailoutbox, django_capture_on_commit_callbacks):
    structure, manager = structure_with_manager
    member = MembershipFactory(structure=structure, user=UserFactory(not_activated=True))
    login(client, manager)
    url = f"/fr/gestionnaire/structures/{structure.pk}/utilisateurs/{member.pk}/activation/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert [m.to for m in mailoutbox] == [[member.user.email]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(mailoutbox) == 1  # rate-limited


def test_services_of_the_structure(client, structure_with_manager):
    structure, manager = structure_with_manager
    login(client, manager)
    base = f"/fr/gestionnaire/structures/{structure.pk}/"
    assert client.post(base, {"code": "compta", "name": "Comptabilité"}).status_code == 302
    duplicate = client.post(base, {"code": "COMPTA", "name": "Autre"})
    assert duplicate.status_code == 400
    assert "existe déjà" in duplicate.content.decode()
    service = structure.services.get()
    client.post(f"{base}services/{service.pk}/", {"name": "Comptabilité générale"})
    service.refresh_from_db()
    assert (service.code, service.name, service.is_active) == ("COMPTA", "Comptabilité générale", False)


# --- two managers deciding at once ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_leave_one_decision():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    structure = StructureFactory()
    primary, secondary = UserFactory(), UserFactory()
    MembershipFactory(user=primary, structure=structure, primary=True)
    MembershipFactory(user=secondary, structure=structure, secondary=True)
    request = pending(structure)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(manager, approve):
        try:
            barrier.wait()
            services.attachment_request_decide(request_id=request.pk, by=manager, approve=approve)
            outcomes.append("decided")
        except ValidationError:
            outcomes.append("already decided")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(primary, True)),
        threading.Thread(target=decide, args=(secondary, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already decided", "decided"]
    request.refresh_from_db()
    assert request.status in (AttachmentRequest.Status.APPROVED, AttachmentRequest.Status.REFUSED)
    assert Membership.objects.filter(user=request.user).count() == (
        1 if request.status == AttachmentRequest.Status.APPROVED else 0
    )
    assert Event.objects.filter(user=request.user).count() == 1


def test_edit_the_structure(client, structure_with_manager):
    structure, manager = structure_with_manager
    login(client, manager)
    url = f"/fr/gestionnaire/structures/{structure.pk}/modifier/"
    assert "Modifier la structure" in client.get(url).content.decode()
    data = {
        "label": "Ma Société",
        "status": "ACTIVE",
        "address": "1 RUE NEUVE",
        "postal_code": "75001",
        "city": "PARIS",
    }
    assert client.post(url, {**data, "corporate_name": "HACK", "identifier": "1"}).status_code == 302
    structure.refresh_from_db()
    assert (structure.label, structure.address, structure.corporate_name) == (
        "Ma Société",
        "1 RUE NEUVE",
        "M A SOCIETE",
    )
    assert "ma societe" in structure.search_text
    bad = client.post(url, {**data, "postal_code": ""})
    assert bad.status_code == 400 and 'value="1 RUE NEUVE"' in bad.content.decode()


def test_edit_is_for_the_structures_managers_only(client, two_structures):
    _, manager_a, structure_b, _, member_b = two_structures
    login(client, manager_a)
    assert client.get(f"/fr/gestionnaire/structures/{structure_b.pk}/modifier/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.structure_update(structure=structure_b, by=manager_a, label="X")
    with pytest.raises(PermissionDenied):
        services.structure_update(structure=structure_b, by=member_b.user, label="X")
