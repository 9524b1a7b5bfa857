import html

import pytest

from structures.models import AttachmentRequest, Event, Membership, Role, Structure
from structures.selectors import structure_workspace_codes
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


TEXTS = {
    "fr": {
        "save": "Enregistrer",
        "blocks": "De nouveaux blocs sont désormais visibles",
        "later": "Vous pourrez les compléter ultérieurement",
        "validate": "Valider",
        "option": "L'option « Souscrire un mandat de facturation » vous concerne",
        "not_now": "Il n'est pas obligatoire de souscrire immédiatement à cette option.",
        "subscribe": "Souscrire un mandat de facturation",
        "continue": "Continuer",
        "done": "La création de la structure est désormais réalisée. Vous y êtes rattaché en tant que "
        "« gestionnaire principal ».",
        "manager": "Activités du gestionnaire",
        "subscribed": "mandat de facturation souscrit",
    },
    "en": {
        "save": "Save",
        "blocks": "New blocks are now visible",
        "later": "You can complete them later",
        "validate": "Validate",
        "option": "The “Subscribe to a billing mandate” option concerns you",
        "not_now": "You do not have to subscribe to this option right away.",
        "subscribe": "Subscribe to a billing mandate",
        "continue": "Continue",
        "done": "The structure has now been created. You are attached to it as “primary manager”.",
        "manager": "Manager activities",
        "subscribed": "billing mandate subscribed",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_create_a_structure_in_its_steps_and_become_its_primary_manager(
    client, supplier, lang, django_assert_max_num_queries
):
    """Seed 003: "Enregistrer" → further blocks → "Valider" → "Souscrire un mandat de facturation" (optional) →
    "Continuer" → attached as primary manager."""
    text = TEXTS[lang]
    login(client, supplier)
    form = html.unescape(client.get(f"/{lang}/mon-compte/structures/nouvelle/").content.decode())
    assert text["save"] in form and "billing_mandate" not in form
    response = client.post(f"/{lang}/mon-compte/structures/nouvelle/", FORM)
    assert response.status_code == 302
    structure = Structure.objects.get(identifier="51010091000015")
    assert structure.is_private and structure.created_by == supplier and structure.billing_mandate_at is None
    assert Membership.objects.get(user=supplier, structure=structure).role == Role.PRIMARY_MANAGER
    assert Event.objects.filter(user=supplier, kind=Event.Kind.STRUCTURE_CREATED).exists()
    blocks_url = response.headers["Location"]
    assert blocks_url == f"/{lang}/mon-compte/structures/{structure.pk}/blocs/"

    with django_assert_max_num_queries(9):
        page = html.unescape(client.get(blocks_url).content.decode())
    for key in ("blocks", "later", "validate"):
        assert text[key] in page, key
    mandate_url = f"/{lang}/mon-compte/structures/{structure.pk}/mandat/"
    assert structure_workspace_codes(structure=structure) == {"issued-invoices", "sent-requests"}
    # "Valider" with the blocks left as they are (they are optional) leads to the billing mandate.
    blocks = {"workspaces": ["issued-invoices", "sent-requests"], "service-code": "", "service-name": ""}
    assert client.post(blocks_url, blocks).headers["Location"] == mandate_url

    mandate = html.unescape(client.get(mandate_url).content.decode())
    for key in ("option", "not_now", "subscribe", "continue"):
        assert text[key] in mandate, key
    assert client.post(mandate_url).headers["Location"] == mandate_url
    assert client.post(mandate_url).status_code == 302  # a double click keeps the first date
    subscribed_at = Structure.objects.get(pk=structure.pk).billing_mandate_at
    assert subscribed_at is not None
    client.post(mandate_url)
    assert Structure.objects.get(pk=structure.pk).billing_mandate_at == subscribed_at
    mandate = html.unescape(client.get(mandate_url).content.decode())
    assert text["subscribed"] in mandate
    done_url = f"/{lang}/mon-compte/structures/{structure.pk}/creee/"
    assert f'href="{done_url}"' in mandate

    done = html.unescape(client.get(done_url).content.decode())
    assert text["done"] in done
    assert text["manager"] in done  # the menu shows it at once, no new login needed


def test_the_mandate_is_optional(client, supplier):
    login(client, supplier)
    client.post("/fr/mon-compte/structures/nouvelle/", FORM)
    structure = Structure.objects.get()
    assert client.get(f"/fr/mon-compte/structures/{structure.pk}/creee/").status_code == 200
    assert Structure.objects.get().billing_mandate_at is None


def test_the_steps_belong_to_the_structure_s_primary_manager(client, supplier, structure_with_manager):
    structure, _manager = structure_with_manager
    login(client, supplier)
    for step in ("blocs", "mandat", "creee"):
        assert client.get(f"/fr/mon-compte/structures/{structure.pk}/{step}/").status_code == 404
    assert client.post(f"/fr/mon-compte/structures/{structure.pk}/mandat/").status_code == 404
    structure.refresh_from_db()
    assert structure.billing_mandate_at is None


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
