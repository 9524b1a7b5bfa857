import html

import pytest

from structures.models import AttachmentRequest, Event, Membership, Role, Structure
from tests.connected.conftest import login
from tests.factories import StructureFactory

FORM = {
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


@pytest.mark.parametrize(
    ("lang", "title"), [("fr", "Saisie nouvelle structure"), ("en", "New structure entry")]
)
def test_form_from_the_search_keeps_the_identifier(client, supplier, lang, title):
    login(client, supplier)
    page = html.unescape(
        client.get(
            f"/{lang}/mon-compte/structures/nouvelle/",
            {"identifier": "51010091000015", "identifier_type": "SIRET"},
        ).content.decode()
    )
    assert title in page
    assert 'value="51010091000015"' in page
    for name in (
        "is_edi_emitter",
        "receives_edi_lifecycle",
        "connection_request_active",
        "is_private",
        "billing_mandate",
    ):
        assert f'name="{name}"' in page


def test_link_from_an_empty_search(client, supplier):
    login(client, supplier)
    page = client.get(
        "/fr/mon-compte/rattachements/recherche/",
        {"identifier": "51010091000015", "identifier_type": "SIRET"},
    ).content.decode()
    assert "/fr/mon-compte/structures/nouvelle/?identifier=51010091000015" in page
    assert "Saisir une nouvelle structure" in page


def test_create_a_structure_and_become_its_primary_manager(client, supplier):
    login(client, supplier)
    response = client.post("/fr/mon-compte/structures/nouvelle/", {**FORM, "billing_mandate": "on"})
    assert response.status_code == 302
    structure = Structure.objects.get(identifier="51010091000015")
    assert structure.is_private and structure.created_by == supplier and structure.billing_mandate_at
    assert Membership.objects.get(user=supplier, structure=structure).role == Role.PRIMARY_MANAGER
    done = html.unescape(client.get(response.headers["Location"]).content.decode())
    assert "Vous y êtes rattaché en tant que « gestionnaire principal »" in done
    assert "Activités du gestionnaire" in done  # the menu shows it at once, no new login needed
    assert Event.objects.filter(user=supplier, kind=Event.Kind.STRUCTURE_CREATED).exists()


def test_public_structures_cannot_be_self_created(client, supplier):
    login(client, supplier)
    data = {key: value for key, value in FORM.items() if key != "is_private"}
    response = client.post("/fr/mon-compte/structures/nouvelle/", data)
    assert response.status_code == 400
    assert "ne peuvent pas être créées par les fournisseurs" in html.unescape(response.content.decode())
    assert not Structure.objects.exists()


def test_bad_siret_is_refused_at_the_field(client, supplier):
    login(client, supplier)
    response = client.post("/en/mon-compte/structures/nouvelle/", {**FORM, "identifier": "51010091000016"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "its check digit is wrong" in page and 'value="51010091000016"' in page


def test_existing_structure_leads_to_an_attachment_request(client, supplier):
    StructureFactory(identifier="51010091000015")
    login(client, supplier)
    response = client.post("/fr/mon-compte/structures/nouvelle/", FORM, follow=True)
    page = html.unescape(response.content.decode())
    assert "Cette structure existe déjà dans le portail" in page
    assert Structure.objects.count() == 1
    assert not AttachmentRequest.objects.exists()
    assert not Membership.objects.filter(user=supplier).exists()
