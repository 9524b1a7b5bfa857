"""« Liste des espaces de la structure »: its managers open and close workspaces on the structure, through the
HTTP client; the members then open them for themselves. The catalogue is the one of workspaces migration 0002."""

import html
import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from structures import services
from structures.models import Event, StructureWorkspace
from structures.selectors import structure_workspace_codes
from tests.connected.conftest import login
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from workspaces.models import WorkspaceActivation
from workspaces.selectors import workspace_active_codes


def url(structure):
    return f"/fr/gestionnaire/structures/{structure.pk}/espaces/"


@pytest.fixture
def managed(db):
    """A structure with its primary manager, a secondary manager and a simple user."""
    structure = StructureFactory(corporate_name="M A SOCIETE")
    primary = MembershipFactory(structure=structure, primary=True).user
    secondary = MembershipFactory(structure=structure, secondary=True).user
    member = MembershipFactory(structure=structure).user
    return structure, primary, secondary, member


def open_for(user, *codes):
    for code in codes:
        WorkspaceActivation.objects.update_or_create(
            user=user, workspace_id=code, defaults={"is_active": True}
        )


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fr",
            [
                "Liste des espaces de la structure",
                "Ajouter des espaces",
                "Engagements",
                "Visualisation des commandes de l'Etat",
                "Non ouvert",
                "Valider",
            ],
        ),
        (
            "en",
            [
                "List of the structure's workspaces",
                "Add workspaces",
                "Commitments",
                "View the commitments of the French State",
                "Not open",
                "Validate",
            ],
        ),
    ],
)
def test_the_block_lists_the_catalogue_with_what_is_open(client, managed, lang, texts):
    structure, primary, _secondary, _member = managed
    services.structure_workspaces_set(by=primary, structure=structure, codes=["issued-invoices"])
    login(client, primary)
    page = html.unescape(client.get(f"/{lang}/gestionnaire/structures/{structure.pk}/").content.decode())
    for text in texts:
        assert text in page, text
    assert len(re.findall(r'name="workspaces" value="[a-z-]+"', page)) == 9
    assert re.findall(r'name="workspaces" value="([a-z-]+)"[^>]* checked', page) == ["issued-invoices"]
    assert f'action="/{lang}/gestionnaire/structures/{structure.pk}/espaces/"' in page


def test_primary_manager_opens_and_closes_at_once(client, managed):
    structure, primary, _secondary, member = managed
    login(client, primary)
    response = client.post(url(structure), {"workspaces": ["commitments", "work-invoices"]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/gestionnaire/structures/{structure.pk}/#workspaces")
    assert structure_workspace_codes(structure=structure) == {"commitments", "work-invoices"}
    # Every active member learns it in their feed.
    assert Event.objects.filter(kind=Event.Kind.STRUCTURE_WORKSPACE_OPENED, user=member).count() == 2
    feed = client.get("/fr/").content.decode()
    assert "L&#x27;espace Engagements a été ouvert sur la structure M A SOCIETE" in feed

    response = client.post(url(structure), {"workspaces": ["commitments"]}, follow=True)
    assert structure_workspace_codes(structure=structure) == {"commitments"}
    assert "Les espaces de la structure ont été mis à jour" in response.content.decode()
    row = StructureWorkspace.objects.get(structure=structure, workspace_id="work-invoices")
    assert not row.is_active and row.updated_by == primary  # the row stays, switched off


def test_secondary_manager_can(client, managed):
    structure, _primary, secondary, _member = managed
    login(client, secondary)
    assert client.post(url(structure), {"workspaces": ["commitments"]}).status_code == 302
    assert structure_workspace_codes(structure=structure) == {"commitments"}


def test_a_simple_user_cannot(client, managed):
    structure, _primary, _secondary, member = managed
    login(client, member)
    assert client.post(url(structure), {"workspaces": ["commitments"]}).status_code == 404
    assert client.get(f"/fr/gestionnaire/structures/{structure.pk}/").status_code == 404
    assert not StructureWorkspace.objects.exists()
    with pytest.raises(PermissionDenied):
        services.structure_workspaces_set(by=member, structure=structure, codes=["commitments"])


def test_a_manager_of_a_never_touches_b(client, managed):
    structure_a, primary_a, _secondary, _member = managed
    structure_b = StructureFactory(corporate_name="B")
    MembershipFactory(structure=structure_b, primary=True)
    services.structure_workspaces_set(
        by=structure_b.memberships.get().user, structure=structure_b, codes=["edi-api-connections"]
    )
    login(client, primary_a)
    assert client.post(url(structure_b), {"workspaces": ["commitments"]}).status_code == 404
    assert structure_workspace_codes(structure=structure_b) == {"edi-api-connections"}
    with pytest.raises(PermissionDenied):
        services.structure_workspaces_set(by=primary_a, structure=structure_b, codes=[])
    assert structure_workspace_codes(structure=structure_b) == {"edi-api-connections"}
    assert not StructureWorkspace.objects.filter(structure=structure_a).exists()


def test_a_double_submit_changes_nothing_twice(client, managed):
    structure, primary, _secondary, _member = managed
    login(client, primary)
    client.post(url(structure), {"workspaces": ["commitments"]})
    events = Event.objects.count()
    response = client.post(url(structure), {"workspaces": ["commitments"]}, follow=True)
    assert "Les espaces de la structure sont inchangés." in response.content.decode()
    assert Event.objects.count() == events
    assert StructureWorkspace.objects.filter(structure=structure).count() == 1


@pytest.mark.parametrize(
    ("lang", "message"),
    [("fr", "Sélectionnez un choix valide"), ("en", "Select a valid choice")],
)
def test_an_unknown_workspace_is_refused_at_the_field(client, managed, lang, message):
    structure, primary, _secondary, _member = managed
    login(client, primary)
    response = client.post(
        f"/{lang}/gestionnaire/structures/{structure.pk}/espaces/", {"workspaces": ["commitments", "nope"]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "fr-fieldset--error" in page
    # What was ticked is kept.
    assert re.findall(r'name="workspaces" value="([a-z-]+)"[^>]* checked', page) == ["commitments"]
    assert not StructureWorkspace.objects.exists()


def test_closing_closes_it_for_members_who_have_it_through_this_structure_only(client, managed):
    structure, primary, _secondary, member = managed
    elsewhere = MembershipFactory(structure=structure).user
    other = StructureFactory()
    MembershipFactory(structure=other, user=elsewhere, primary=True)
    services.structure_workspaces_set(by=elsewhere, structure=other, codes=["commitments"])
    services.structure_workspaces_set(
        by=primary, structure=structure, codes=["commitments", "issued-invoices"]
    )
    for user in (member, elsewhere):
        open_for(user, "commitments", "issued-invoices")

    login(client, primary)
    response = client.post(url(structure), {"workspaces": []}, follow=True)
    assert "Les espaces fermés l&#x27;ont été pour 1 utilisateur" in response.content.decode()
    # The member loses "Engagements" (no other structure has it open) but keeps the self-service "Factures émises".
    assert workspace_active_codes(user=member) == {"issued-invoices"}
    assert Event.objects.filter(user=member, kind=Event.Kind.WORKSPACE_WITHDRAWN).count() == 1
    # The member whose other structure has it open keeps it.
    assert workspace_active_codes(user=elsewhere) == {"commitments", "issued-invoices"}
    login(client, member)
    feed = client.get("/en/").content.decode()
    assert "The workspace Commitments was closed for you" in feed
    assert 'href="/en/espaces/commitments/"' not in feed


def test_a_member_detached_by_a_manager_loses_what_came_through_the_structure_only(client, managed):
    structure, primary, _secondary, member = managed
    services.structure_workspaces_set(by=primary, structure=structure, codes=["commitments", "work-invoices"])
    other = StructureFactory()
    MembershipFactory(structure=other, user=member)
    StructureWorkspace.objects.create(structure=other, workspace_id="work-invoices")
    open_for(member, "commitments", "work-invoices", "issued-invoices")

    login(client, primary)
    membership = member.memberships.get(structure=structure)
    client.post(f"/fr/gestionnaire/structures/{structure.pk}/utilisateurs/{membership.pk}/detacher/")

    # "Engagements" came only through this structure; the other structure has "Factures de travaux" open;
    # "Factures émises" is self-service.
    assert workspace_active_codes(user=member) == {"work-invoices", "issued-invoices"}
    login(client, member)
    feed = html.unescape(client.get("/fr/").content.decode())
    assert (
        "L'espace Engagements a été fermé pour vous : vous n'êtes plus rattaché à la structure M A SOCIETE"
        in feed
    )
    assert 'href="/fr/espaces/commitments/"' not in feed


def test_a_member_who_leaves_loses_what_came_through_the_structure_only(client, managed):
    structure, primary, _secondary, member = managed
    services.structure_workspaces_set(by=primary, structure=structure, codes=["commitments"])
    open_for(member, "commitments", "issued-invoices")

    login(client, member)
    membership = member.memberships.get(structure=structure)
    client.post("/en/mon-compte/rattachements/supprimer/", {"memberships": [membership.pk]})

    assert workspace_active_codes(user=member) == {"issued-invoices"}
    assert (
        Event.objects.filter(user=member, kind=Event.Kind.WORKSPACE_LEFT, workspace_id="commitments").count()
        == 1
    )
    assert "you are no longer attached to the structure M A SOCIETE" in client.get("/en/").content.decode()


def test_the_structure_page_queries_stay_bounded(client, managed, django_assert_num_queries):
    structure, primary, _secondary, _member = managed
    services.structure_workspaces_set(by=primary, structure=structure, codes=["commitments", "work-invoices"])
    for _ in range(5):
        MembershipFactory(structure=structure)
    login(client, primary)
    # session, its user and the menu (manager? with the open workspaces): one query; my membership, members, their
    # services, services, workspaces of the structure, decisions count (no decision yet: no page query)
    with django_assert_num_queries(7):
        response = client.get(f"/fr/gestionnaire/structures/{structure.pk}/")
    assert response.status_code == 200


def test_the_data_migration_gives_each_structure_its_members_workspaces(db):
    structure = StructureFactory()
    member = MembershipFactory(structure=structure).user
    left = MembershipFactory(structure=structure, is_active=False).user
    open_for(member, "commitments", "issued-invoices")
    open_for(left, "work-invoices")
    WorkspaceActivation.objects.create(user=member, workspace_id="data-flow-overview", is_active=False)
    UserFactory()  # no structure: nothing to give
    migration = importlib.import_module("structures.migrations.0008_structure_workspaces")
    migration.open_members_workspaces(apps, None)
    migration.open_members_workspaces(apps, None)  # safe to run again
    assert structure_workspace_codes(structure=structure) == {"commitments", "issued-invoices"}
    assert StructureWorkspace.objects.count() == 2


# --- a new structure: its workspaces from the start ------------------------------------------------------------


NEW_STRUCTURE = {
    "identifier_type": "SIRET",
    "identifier": "510 100 910 00015",
    "corporate_name": "M A SOCIETE",
    "status": "ACTIVE",
    "is_private": "on",
    "address": "19 BOULEVARD MALESHERBES",
    "postal_code": "75008",
    "city": "PARIS 8",
    "country": "FR",
}


@pytest.fixture
def created(client, db):
    """A structure created from "Mon Compte" → "Saisir une nouvelle structure"; returns (structure, blocks url)."""
    from structures.models import Structure

    user = UserFactory()
    login(client, user)
    response = client.post("/fr/mon-compte/structures/nouvelle/", NEW_STRUCTURE)
    structure = Structure.objects.get(identifier="51010091000015")
    return structure, response.headers["Location"], user


def test_a_created_structure_opens_the_default_workspaces(created):
    structure, _blocks_url, user = created
    assert structure_workspace_codes(structure=structure) == {"issued-invoices", "sent-requests"}
    assert workspace_active_codes(user=user) == {"issued-invoices", "sent-requests"}


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("fr", ["Liste des espaces de la structure", "Ajouter des espaces", "Ajouter un service", "Valider"]),
        ("en", ["List of the structure's workspaces", "Add workspaces", "Add a service", "Validate"]),
    ],
)
def test_the_further_blocks_are_forms(client, created, lang, texts):
    structure, _blocks_url, _user = created
    text = html.unescape(client.get(f"/{lang}/mon-compte/structures/{structure.pk}/blocs/").content.decode())
    for expected in texts:
        assert expected in text, expected
    assert set(re.findall(r'name="workspaces" value="([a-z-]+)"[^>]* checked', text)) == {
        "issued-invoices",
        "sent-requests",
    }
    assert 'name="service-code"' in text and 'name="service-name"' in text


def test_valider_saves_the_workspaces_and_a_first_service(client, created):
    structure, blocks_url, _user = created
    data = {
        "workspaces": ["issued-invoices", "commitments"],
        "service-code": "achats",
        "service-name": "Achats",
    }
    response = client.post(blocks_url, data)
    assert response.headers["Location"] == f"/fr/mon-compte/structures/{structure.pk}/mandat/"
    assert structure_workspace_codes(structure=structure) == {"issued-invoices", "commitments"}
    assert list(structure.services.values_list("code", "name")) == [("ACHATS", "Achats")]
    # A double submit creates nothing twice: the service code is taken, said at the field, nothing else changes.
    response = client.post(blocks_url, {**data, "workspaces": ["commitments"]})
    assert response.status_code == 400
    assert "Un service avec ce code existe déjà" in html.unescape(response.content.decode())
    assert structure_workspace_codes(structure=structure) == {"issued-invoices", "commitments"}
    assert structure.services.count() == 1


def test_a_service_code_without_name_is_refused_at_the_field(client, created):
    structure, blocks_url, _user = created
    response = client.post(blocks_url, {"workspaces": ["commitments"], "service-code": "ACHATS"})
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "Saisissez le nom du service." in text and 'value="ACHATS"' in text
    assert structure_workspace_codes(structure=structure) == {"issued-invoices", "sent-requests"}


def test_the_blocks_page_is_its_creators_only(client, created):
    structure, blocks_url, _user = created
    login(client, UserFactory())
    assert client.get(blocks_url).status_code == 404
    assert client.post(blocks_url, {"workspaces": []}).status_code == 404
    assert structure_workspace_codes(structure=structure) == {"issued-invoices", "sent-requests"}
