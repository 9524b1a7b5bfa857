"""Which workspaces a user may open: the self-service ones always, the others once one of their structures has
them open (« Liste des espaces de la structure »). Mon Compte and signup step 3, through the HTTP client."""

import html
import re

import pytest

from accounts.services import user_workspaces_set
from structures import services
from structures.selectors import structure_workspace_codes
from tests.accounts.conftest import AU_PIED_DE_COCHON
from tests.accounts.test_signup_views import EMAIL, personal
from tests.connected.conftest import login
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from workspaces.models import WorkspaceActivation
from workspaces.selectors import workspace_active_codes, workspace_catalogue_cached

REASONS = {
    "fr": "Votre gestionnaire doit d'abord ouvrir cet espace sur la structure.",
    "en": "Your manager must first open this workspace on the structure.",
}
NO_STRUCTURE = {
    "fr": "Disponible une fois que vous êtes rattaché à une structure dont les gestionnaires ont ouvert cet espace.",
    "en": "Available once you are attached to a structure whose managers have opened it.",
}
LANGS = pytest.mark.parametrize("lang", ["fr", "en"])


@pytest.fixture
def member(db):
    """A simple user of a structure whose primary manager has opened nothing on it yet."""
    structure = StructureFactory(corporate_name="M A SOCIETE")
    manager = MembershipFactory(structure=structure, primary=True).user
    user = MembershipFactory(structure=structure).user
    return user, structure, manager


def page(response):
    return html.unescape(response.content.decode())


def disabled_codes(text):
    return set(re.findall(r'name="workspaces" value="([a-z-]+)"[^>]* disabled', text))


@LANGS
def test_a_workspace_not_open_on_the_structure_is_shown_with_why(client, member, lang):
    user, _structure, _manager = member
    login(client, user)
    text = page(client.get(f"/{lang}/mon-compte/"))
    assert REASONS[lang] in text
    # Everything but the two self-service workspaces waits for the manager.
    assert len(disabled_codes(text)) == 7
    assert not disabled_codes(text) & {"issued-invoices", "sent-requests"}


@LANGS
def test_forcing_a_gated_workspace_gets_a_message_at_the_field(client, member, lang):
    user, _structure, _manager = member
    login(client, user)
    response = client.post(f"/{lang}/mon-compte/espaces/", {"workspaces": ["issued-invoices", "commitments"]})
    assert response.status_code == 400
    text = page(response)
    assert "fr-fieldset--error" in text
    expected = {
        "fr": "Engagements : votre gestionnaire doit d'abord ouvrir cet espace sur la structure.",
        "en": "Commitments: your manager must first open this workspace on the structure.",
    }
    assert expected[lang] in text
    assert workspace_active_codes(user=user) == set()


def test_the_self_service_workspaces_are_free(client, member):
    user, _structure, _manager = member
    login(client, user)
    response = client.post("/fr/mon-compte/espaces/", {"workspaces": ["issued-invoices", "sent-requests"]})
    assert response.status_code == 302
    assert workspace_active_codes(user=user) == {"issued-invoices", "sent-requests"}


def test_once_the_manager_opens_it_the_member_opens_it_at_once(client, member):
    user, structure, manager = member
    login(client, manager)
    client.post(f"/fr/gestionnaire/structures/{structure.pk}/espaces/", {"workspaces": ["commitments"]})
    login(client, user)
    assert "commitments" not in disabled_codes(page(client.get("/fr/mon-compte/")))
    assert client.post("/fr/mon-compte/espaces/", {"workspaces": ["commitments"]}).status_code == 302
    assert workspace_active_codes(user=user) == {"commitments"}
    # No new login: the menu shows it on the next page.
    assert 'href="/fr/espaces/commitments/"' in client.get("/fr/").content.decode()


def test_a_workspace_already_open_stays_open(client, member):
    """A workspace open before the structure's list existed (or opened at signup) is kept; closing is free."""
    user, _structure, _manager = member
    WorkspaceActivation.objects.create(user=user, workspace_id="work-invoices")
    login(client, user)
    assert client.post("/fr/mon-compte/espaces/", {"workspaces": ["work-invoices"]}).status_code == 302
    assert workspace_active_codes(user=user) == {"work-invoices"}
    assert client.post("/fr/mon-compte/espaces/", {"workspaces": []}).status_code == 302
    assert workspace_active_codes(user=user) == set()
    assert client.post("/fr/mon-compte/espaces/", {"workspaces": ["work-invoices"]}).status_code == 400


@LANGS
def test_a_user_without_structure_is_told_to_attach_first(client, lang):
    user = UserFactory()
    login(client, user)
    assert NO_STRUCTURE[lang] in page(client.get(f"/{lang}/mon-compte/"))


def test_the_service_refuses_a_gated_workspace_too(member):
    from django.core.exceptions import ValidationError

    user, _structure, _manager = member
    with pytest.raises(ValidationError):
        user_workspaces_set(user=user, codes=["commitments"])
    assert workspace_active_codes(user=user) == set()


def test_mon_compte_queries_stay_bounded(client, member, django_assert_max_num_queries):
    user, structure, manager = member
    services.structure_workspaces_set(by=manager, structure=structure, codes=["commitments", "work-invoices"])
    for _ in range(3):
        other = StructureFactory()
        MembershipFactory(structure=other, user=user)
        services.structure_workspaces_set(
            by=MembershipFactory(structure=other, primary=True).user, structure=other, codes=["commitments"]
        )
    login(client, user)
    with django_assert_max_num_queries(12):
        assert client.get("/fr/mon-compte/").status_code == 200


# --- signup step 3 ----------------------------------------------------------------------------------------------


@LANGS
def test_joining_a_structure_offers_what_it_opened(client, lang, sirene, django_assert_num_queries):
    structure = StructureFactory(identifier=AU_PIED_DE_COCHON, corporate_name="SNC AU PIED DE COCHON LGE")
    manager = MembershipFactory(structure=structure, primary=True).user
    services.structure_workspaces_set(by=manager, structure=structure, codes=["work-invoices"])
    client.post(f"/{lang}/signup/", {"email": EMAIL, "siret": AU_PIED_DE_COCHON})
    client.post(f"/{lang}/signup/information/", {**personal(), "scope": "STRUCTURE"})
    workspace_catalogue_cached()  # the workspace catalogue in the shared cache, as after any earlier page
    # the session, the catalogue (a cache read), the workspaces open on the structure
    with django_assert_num_queries(3):
        text = page(client.get(f"/{lang}/signup/working-areas/"))
    assert REASONS[lang] in text
    assert "work-invoices" not in disabled_codes(text) and "commitments" in disabled_codes(text)

    response = client.post(
        f"/{lang}/signup/working-areas/", {"workspaces": ["issued-invoices", "commitments"]}
    )
    assert response.status_code == 200 and "fr-error-text" in response.text
    response = client.post(
        f"/{lang}/signup/working-areas/", {"workspaces": ["issued-invoices", "work-invoices"]}
    )
    assert response.headers["Location"] == f"/{lang}/signup/done/"
    assert workspace_active_codes(user=UserFactory._meta.model.objects.get(email=EMAIL)) == {
        "issued-invoices",
        "work-invoices",
    }
    # The person does not manage the structure: its list is unchanged.
    assert structure_workspace_codes(structure=structure) == {"work-invoices"}
