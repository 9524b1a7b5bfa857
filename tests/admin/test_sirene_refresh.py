""" "Refresh from SIRENE" on structures, against the local directory (the demo extract, one row then changed)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from structures.models import Establishment, ModerationAction, Structure
from structures.services import structure_refresh_from_sirene
from structures.sirene.stock import sirene_demo_load
from tests.admin.conftest import MODEL_BACKEND, saved_user
from tests.factories import StructureFactory

CHANGELIST = "admin:structures_structure_changelist"
CHAT_QUI_PECHE = "83128597800019"
NON_DIFFUSIBLE = "90000001900019"
CLOSED = "90000000100017"


@pytest.fixture
def directory():
    sirene_demo_load()


def refresh(client, *structures, follow=True):
    return client.post(
        reverse(CHANGELIST),
        {"action": "refresh_from_sirene", "index": 0, "_selected_action": [s.pk for s in structures]},
        follow=follow,
    )


def messages_of(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def refreshes():
    return ModerationAction.objects.filter(action=ModerationAction.Action.STRUCTURE_REFRESH)


def test_refresh_updates_the_name_and_address_and_says_what_changed(directory, moderator_client, moderator):
    Establishment.objects.filter(siret=CHAT_QUI_PECHE).update(city="PARIS", address_complement_1="BATIMENT A")
    structure = StructureFactory(
        identifier=CHAT_QUI_PECHE, corporate_name="ANCIEN NOM", label="Le Chat", email="contact@chat.fr"
    )
    response = refresh(moderator_client, structure)
    assert response.status_code == 200
    structure.refresh_from_db()
    assert (structure.corporate_name, structure.city, structure.address_complement_1) == (
        "LE CHAT QUI PECHE",
        "PARIS",
        "BATIMENT A",
    )
    assert (structure.label, structure.email, structure.address) == (
        "Le Chat",
        "contact@chat.fr",
        "19 B RUE DE COTTE",
    )
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert "raison sociale : « ANCIEN NOM » → « LE CHAT QUI PECHE »" in text
    assert "« PARIS 12 » → « PARIS »" in text
    record = refreshes().get()
    assert (record.actor, record.structure) == (moderator, structure)
    assert record.details["changes"] == {
        "corporate_name": {"before": "ANCIEN NOM", "after": "LE CHAT QUI PECHE"},
        "address_complement_1": {"before": "", "after": "BATIMENT A"},
        "city": {"before": "PARIS 12", "after": "PARIS"},
    }
    assert record.details["backend"] == "local"

    # Again: nothing to change, said so, and the check is in the history too.
    response = refresh(moderator_client, structure)
    [(level, text)] = messages_of(response)
    assert level == "info" and "déjà à jour" in text
    assert refreshes().count() == 2 and refreshes().first().details["changes"] == {}


def test_a_non_diffusible_establishment_keeps_the_address_it_has(directory, moderator_client):
    structure = StructureFactory(identifier=NON_DIFFUSIBLE, corporate_name="DUPONT JEAN")
    response = refresh(moderator_client, structure)
    structure.refresh_from_db()
    # INSEE masks the address and a natural person's name: masked is not blank, the portal keeps its values.
    assert (structure.corporate_name, structure.address, structure.postal_code, structure.city) == (
        "DUPONT JEAN",
        "19 B RUE DE COTTE",
        "75012",
        "PARIS 12",
    )
    assert structure.is_non_diffusible
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert "non diffusible" in text and "conservée" in text
    record = refreshes().get()
    assert record.details["changes"] == {"is_non_diffusible": {"before": False, "after": True}}
    assert record.details["kept_masked"] == [
        "address",
        "address_complement_1",
        "address_complement_2",
        "postal_code",
        "city",
    ]


@pytest.mark.parametrize(
    ("siret", "expected"),
    [(CLOSED, "fermé"), ("83128597800027", "n'est pas dans le répertoire")],
)
def test_closed_or_unknown_changes_nothing(directory, moderator_client, siret, expected):
    structure = StructureFactory(identifier=siret, corporate_name="NOM")
    response = refresh(moderator_client, structure)
    [(level, text)] = messages_of(response)
    assert level == "error" and expected in text and "rien n'a été modifié" in text
    structure.refresh_from_db()
    assert (structure.corporate_name, structure.city) == ("NOM", "PARIS 12")
    assert not refreshes().exists()


def test_an_unavailable_directory_changes_nothing(moderator_client, settings):
    # The local directory is empty (nothing imported) and no other backend is configured.
    settings.SIRENE_BACKENDS = ["local"]
    structure = StructureFactory(identifier=CHAT_QUI_PECHE, corporate_name="NOM")
    response = refresh(moderator_client, structure)
    [(level, text)] = messages_of(response)
    assert level == "error" and "ne répond pas" in text
    structure.refresh_from_db()
    assert structure.corporate_name == "NOM"
    assert not refreshes().exists()


def test_an_unavailable_remote_api_changes_nothing(moderator_client, settings, httpserver):
    settings.SIRENE_BACKENDS = ["recherche_entreprises"]
    settings.RECHERCHE_ENTREPRISES_API_URL = httpserver.url_for("/")
    httpserver.expect_request("/search").respond_with_data("indisponible", status=503)
    structure = StructureFactory(identifier=CHAT_QUI_PECHE, corporate_name="NOM")
    [(level, text)] = messages_of(refresh(moderator_client, structure))
    assert level == "error" and "ne répond pas" in text
    assert not refreshes().exists()


def test_structures_without_a_siret_are_refused(directory, moderator_client):
    structure = StructureFactory(identifier_type="RIDET", identifier="1234567", corporate_name="NOUMEA SARL")
    [(level, text)] = messages_of(refresh(moderator_client, structure))
    assert level == "error" and "SIRET" in text
    assert not refreshes().exists()


def test_refresh_from_the_structure_page_as_administrator(directory, administrator_client, administrator):
    structure = StructureFactory(identifier=CHAT_QUI_PECHE, corporate_name="ANCIEN NOM")
    url = reverse("admin:structures_structure_change", args=[structure.pk])
    assert 'value="refresh_from_sirene"' in administrator_client.get(url).content.decode()
    response = administrator_client.post(
        url,
        {
            "CHANGE_FORM-action": "refresh_from_sirene",
            "CHANGE_FORM-select_across": 0,
            "_selected_action": structure.pk,
        },
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.corporate_name == "LE CHAT QUI PECHE"
    assert refreshes().get().actor == administrator


def test_staff_without_the_permission_cannot_refresh(directory, client):
    viewer = saved_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_structure"))
    client.force_login(viewer, backend=MODEL_BACKEND)
    structure = StructureFactory(identifier=CHAT_QUI_PECHE, corporate_name="ANCIEN NOM")
    assert 'value="refresh_from_sirene"' not in client.get(reverse(CHANGELIST)).content.decode()
    refresh(client, structure)
    structure.refresh_from_db()
    assert structure.corporate_name == "ANCIEN NOM"
    with pytest.raises(PermissionDenied):
        structure_refresh_from_sirene(structure=structure, by=viewer)
    assert not refreshes().exists()


def test_a_large_selection_is_refused_whole(directory, moderator_client):
    structures = [StructureFactory() for _ in range(21)]
    [(level, text)] = messages_of(refresh(moderator_client, *structures))
    assert level == "error" and "20" in text
    assert not refreshes().exists()
    assert Structure.objects.filter(corporate_name="LE CHAT QUI PECHE").count() == 0
