"""Suspending or reactivating a structure tells its members in their feed; the structure's page shows its event
history; the events' own list in the admin."""

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from structures.models import Event
from structures.services import event_record
from tests.admin.conftest import MODEL_BACKEND, saved_user
from tests.factories import MembershipFactory, StructureFactory, UserFactory


def post_action(client, action, structure, **extra):
    return client.post(
        reverse("admin:structures_structure_changelist"),
        {"action": action, "index": 0, "_selected_action": [structure.pk], **extra},
    )


def test_suspending_and_reactivating_write_to_each_active_members_feed(moderator_client, moderator, client):
    manager = MembershipFactory(primary=True, user=saved_user())
    structure = manager.structure
    member = MembershipFactory(structure=structure)
    former = MembershipFactory(structure=structure, is_active=False)
    outsider = MembershipFactory()

    post_action(moderator_client, "suspend", structure, confirm="1", reason="Motif interne confidentiel")
    suspended = Event.objects.filter(kind=Event.Kind.STRUCTURE_SUSPENDED)
    assert {e.user for e in suspended} == {manager.user, member.user}
    assert {(e.structure, e.actor, e.reason) for e in suspended} == {(structure, moderator, "")}
    assert not Event.objects.filter(user__in=[former.user, outsider.user]).exists()

    # The member reads it on the connected home, without the moderator's internal reason.
    client.force_login(manager.user, backend=MODEL_BACKEND)
    home = client.get("/fr/").content.decode()
    assert "a été suspendue par la modération du portail" in home
    assert "Motif interne" not in home

    post_action(moderator_client, "reactivate", structure)
    lifted = Event.objects.filter(kind=Event.Kind.SUSPENSION_LIFTED)
    assert {e.user for e in lifted} == {manager.user, member.user}
    assert "accepte de nouveau les demandes" in client.get("/fr/").content.decode()
    english = client.get("/en/").content.decode()
    assert "was reactivated by the portal" in english


def test_a_refused_suspension_writes_no_event(moderator_client):
    structure = MembershipFactory(primary=True, structure__moderation="SUSPENDED").structure
    post_action(moderator_client, "suspend", structure, confirm="1", reason="Encore")
    assert not Event.objects.exists()


def test_the_structure_page_shows_its_latest_events_with_bounded_queries(moderator_client):
    manager = MembershipFactory(primary=True)
    structure = manager.structure
    other = StructureFactory()
    url = reverse("admin:structures_structure_change", args=[structure.pk])

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = moderator_client.get(url)
        assert response.status_code == 200
        return len(queries), response

    for _ in range(3):
        event_record(
            user=manager.user, kind=Event.Kind.REQUEST_RECEIVED, structure=structure, subject=UserFactory()
        )
    page()  # the first page of the session caches what every page needs (content types…)
    few, _ = page()
    for _ in range(60):
        event_record(
            user=manager.user, kind=Event.Kind.REQUEST_RECEIVED, structure=structure, subject=UserFactory()
        )
    event_record(user=manager.user, kind=Event.Kind.STRUCTURE_CREATED, structure=structure)
    event_record(user=manager.user, kind=Event.Kind.STRUCTURE_CREATED, structure=other)
    many, response = page()
    assert few == many
    formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is Event)
    shown = [form.original for form in formset]
    assert len(shown) == 50
    assert shown[0].kind == Event.Kind.STRUCTURE_CREATED  # newest first
    assert all(event.structure_id == structure.pk for event in shown)
    content = response.content.decode()
    assert "Vous avez créé la structure" in content
    assert f"{reverse('admin:structures_event_changelist')}?structure={structure.pk}" in content


def test_the_events_list_searches_by_email_and_filters_by_kind(
    moderator_client, django_assert_max_num_queries
):
    alice = UserFactory(email="alice@exemple.fr")
    bob = UserFactory(email="bob@exemple.fr")
    structure = StructureFactory()
    created = event_record(user=alice, kind=Event.Kind.STRUCTURE_CREATED, actor=alice, structure=structure)
    sent = event_record(user=bob, kind=Event.Kind.REQUEST_SENT, actor=bob, structure=structure)
    for _ in range(30):
        event_record(user=bob, kind=Event.Kind.REQUEST_RECEIVED, structure=structure, subject=UserFactory())
    url = reverse("admin:structures_event_changelist")
    with django_assert_max_num_queries(8):
        response = moderator_client.get(url)
    assert len(response.context["cl"].result_list) == 32
    assert [e.pk for e in moderator_client.get(url, {"q": "ALICE@"}).context["cl"].result_list] == [
        created.pk
    ]
    listed = moderator_client.get(url, {"kind__exact": "REQUEST_SENT"}).context["cl"].result_list
    assert [e.pk for e in listed] == [sent.pk]
    listed = moderator_client.get(url, {"structure": structure.pk, "q": "bob"}).context["cl"].result_list
    assert len(listed) == 31
    assert moderator_client.get(reverse("admin:structures_event_change", args=[sent.pk])).status_code == 200


def test_events_are_read_only_and_need_the_permission(administrator_client, client):
    event = event_record(user=UserFactory(), kind=Event.Kind.ACCOUNT_CREATED)
    assert administrator_client.get(reverse("admin:structures_event_add")).status_code == 403
    assert (
        administrator_client.get(reverse("admin:structures_event_delete", args=[event.pk])).status_code == 403
    )
    assert (
        administrator_client.post(reverse("admin:structures_event_change", args=[event.pk]), {}).status_code
        == 403
    )
    viewer = saved_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_structure"))
    client.force_login(viewer, backend=MODEL_BACKEND)
    assert client.get(reverse("admin:structures_event_changelist")).status_code == 403
    structure = StructureFactory()
    page = client.get(reverse("admin:structures_structure_change", args=[structure.pk])).content.decode()
    assert "Tous ses événements" not in page
