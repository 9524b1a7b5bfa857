"""The connected area in a real Chromium, FR and EN, with an axe check on every page visited."""

import io

import pytest
from django.core.management import call_command

from structures.models import AttachmentRequest, Membership, Role
from structures.sirene.stock import sirene_demo_load
from tests.browser import axe_check
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.browser


def log_in(page, lang, user):
    page.goto(f"/{lang}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/")


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        (
            "fr",
            {
                "feed": "Fil d'événements",
                "account": "Mon Compte",
                "request": "Demander un rattachement",
                "identifier": "Identifiant",
                "search": "Rechercher",
                "send": "Envoyer la demande",
                "pending": "En cours de validation",
                "manager": "Activités du gestionnaire",
                "approve": "Valider",
                "approved": "1 demande validée.",
            },
        ),
        (
            "en",
            {
                "feed": "Event feed",
                "account": "My account",
                "request": "Request an attachment",
                "identifier": "Identifier",
                "search": "Search",
                "send": "Send the request",
                "pending": "Pending validation",
                "manager": "Manager activities",
                "approve": "Approve",
                "approved": "1 request approved.",
            },
        ),
    ],
)
def test_attachment_request_then_manager_approval(page, lang, labels):
    structure = StructureFactory(corporate_name="M A SOCIETE")
    manager = UserFactory(
        email="jean.martin@example.fr", first_name="Jean", last_name="MARTIN", language=lang
    )
    MembershipFactory(user=manager, structure=structure, primary=True)
    supplier = UserFactory(email="stephanie.dupond@example.fr", language=lang)

    log_in(page, lang, supplier)
    assert page.get_by_role("heading", name=labels["feed"]).is_visible()
    axe_check(page)
    page.get_by_role("link", name=labels["account"], exact=True).first.click()
    axe_check(page)
    page.get_by_role("link", name=labels["request"], exact=True).first.click()
    page.get_by_label(labels["identifier"], exact=True).fill(structure.identifier)
    page.locator("main form button[type=submit]").click()
    axe_check(page)
    page.locator("main table a.fr-btn").first.click()
    axe_check(page)
    page.get_by_role("button", name=labels["send"]).click()
    assert page.get_by_text(labels["pending"]).first.is_visible()
    assert AttachmentRequest.objects.filter(user=supplier, status="PENDING").exists()
    axe_check(page)

    page.context.clear_cookies()
    log_in(page, lang, manager)
    page.get_by_role("link", name=labels["manager"]).first.click()
    axe_check(page)
    page.locator("main input[name=requests]").first.check(force=True)
    page.get_by_role("button", name=labels["approve"], exact=True).click()
    assert page.get_by_text(labels["approved"]).is_visible()
    assert Membership.objects.get(user=supplier, structure=structure).role == Role.USER
    page.locator("main table a.fr-link").first.click()
    axe_check(page)


@pytest.mark.parametrize(("lang", "found"), [("fr", "1 structure trouvée"), ("en", "1 structure found")])
def test_public_structure_search_anonymous(page, lang, found):
    call_command("load_demo_data", stdout=io.StringIO())
    page.goto(f"/{lang}/")
    page.locator("#home-search-input").fill("EPINAL")
    page.locator("#home-search button").click()
    assert page.get_by_text(found).is_visible()
    assert page.get_by_role("cell", name="Vosges Habitat").is_visible()
    axe_check(page)


@pytest.mark.parametrize(
    ("lang", "create", "save", "blocks", "validate", "subscribe", "proceed", "done"),
    [
        (
            "fr",
            "Saisir une nouvelle structure",
            "Enregistrer",
            "De nouveaux blocs sont désormais visibles",
            "Valider",
            "Souscrire un mandat de facturation",
            "Continuer",
            "gestionnaire principal",
        ),
        (
            "en",
            "Enter a new structure",
            "Save",
            "New blocks are now visible",
            "Validate",
            "Subscribe to a billing mandate",
            "Continue",
            "primary manager",
        ),
    ],
)
def test_new_structure_from_an_empty_search(
    page, lang, create, save, blocks, validate, subscribe, proceed, done
):
    sirene_demo_load()
    supplier = UserFactory()
    log_in(page, lang, supplier)
    page.goto(f"/{lang}/mon-compte/rattachements/recherche/?identifier=51010091000015&identifier_type=SIRET")
    page.get_by_role("link", name=create).click()
    axe_check(page)
    # Seed 003: the SIRET and the corporate name come from SIRENE and cannot be changed; the address is pre-filled.
    assert page.locator("#id_corporate_name").input_value() == "M A SOCIETE"
    assert page.locator("#id_corporate_name").is_disabled()
    assert page.locator("#id_address").input_value() == "19 BOULEVARD MALESHERBES"
    assert page.locator("#id_postal_code").input_value() == "75008"
    page.get_by_role("button", name=save).click()
    assert page.get_by_text(blocks).is_visible()
    axe_check(page)
    page.get_by_role("button", name=validate, exact=True).click()
    page.get_by_role("button", name=subscribe).click()
    axe_check(page)
    page.get_by_role("link", name=proceed, exact=True).click()
    assert page.get_by_text(done).first.is_visible()
    axe_check(page)
    assert Membership.objects.get(user=supplier).role == Role.PRIMARY_MANAGER
    assert Membership.objects.get(user=supplier).structure.billing_mandate_at is not None


@pytest.mark.parametrize(
    ("lang", "save", "done"),
    [
        ("fr", "Enregistrer", "Un mail d'activation est envoyé"),
        ("en", "Save", "An activation email has been sent"),
    ],
)
def test_account_first_signup(page, lang, save, done, monkeypatch):
    from captcha.conf import settings as captcha_settings

    from accounts.models import User

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    page.goto(f"/{lang}/compte/creer/")
    axe_check(page)
    page.locator("#id_email").fill("fournisseur-cpp.aife@example.fr")
    page.locator("#id_email_confirmation").fill("fournisseur-cpp.aife@example.fr")
    page.locator("#id_last_name").fill("DUPOND")
    page.locator("#id_first_name").fill("Stephanie")
    page.locator("#id_address").fill("10, rue du Centre")
    page.locator("#id_postal_code").fill("93160")
    page.locator("#id_city").fill("NOISY-LE-GRAND")
    page.locator("#id_captcha_1").fill("PASSED")
    page.get_by_role("button", name=save, exact=True).click()
    assert page.get_by_text(done).is_visible()
    axe_check(page)
    assert not User.objects.get(email="fournisseur-cpp.aife@example.fr").is_activated
