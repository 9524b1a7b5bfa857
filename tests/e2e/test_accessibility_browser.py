"""Accessibility: axe finds no violation on any page of the portal, in French and English, logged out and logged in.

One browser context per language and login state; the tour goes from page to page in it."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accounts.tokens import activation_tokens, password_reset_tokens
from structures.models import AttachmentRequest
from structures.sirene.stock import sirene_demo_load
from tests.browser import axe_check
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ServiceFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.browser

LE_CHAT_QUI_PECHE = "83128597800019"


def visit(page, path):
    response = page.goto(path)
    assert response.status < 400, f"{path}: HTTP {response.status}"
    assert urlparse(page.url).path == urlparse(path).path, f"{path}: redirected to {page.url}"
    axe_check(page)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_logged_out(page, lang):
    sirene_demo_load()
    StructureFactory(corporate_name="COMMUNE DE CHATILLON", is_private=False)
    pending = UserFactory(not_activated=True, email="stephanie.dupond@aife.fr")
    recovering = UserFactory(email="jean.martin@example.fr", secret_question="birth_city")
    for path in (
        "/",
        "/login/",
        "/signup/?without_siret=1",
        f"/activation/{activation_tokens.make(pending)}/",
        "/activation/new-link/",
        "/activation/new-link/sent/",
        "/password/forgotten/",
        "/password/forgotten/sent/",
        f"/password/reset/{password_reset_tokens.make(recovering)}/",
        "/compte/creer/",
        "/structures/recherche/?q=CHATILLON",
        "/signup/",
    ):
        visit(page, f"/{lang}{path}")

    # The signup, step by step: step 2, 3 and the confirmation need the state of the steps before. First a SIRET
    # with a wrong check digit: the page with its error messages.
    page.locator("#id_email").fill("jean.dupond@example.fr")
    page.locator("#id_siret").fill("83128597800018")
    page.locator("#id_siret").press("Enter")
    expect(page.locator(".fr-input-group--error").first).to_be_visible()
    axe_check(page)
    page.locator("#id_siret").fill(LE_CHAT_QUI_PECHE)
    page.locator("#id_siret").press("Enter")
    expect(page.locator("#id_email_confirmation")).to_be_visible()
    axe_check(page)
    page.locator("#id_email_confirmation").fill("jean.dupond@example.fr")
    page.locator("#id_last_name").fill("DUPOND")
    page.locator("#id_first_name").fill("Jean")
    page.locator("#id_captcha_1").fill("PASSED")
    page.locator("#id_captcha_1").press("Enter")
    expect(page.locator("input[name='workspaces']").first).to_be_attached()
    axe_check(page)
    page.locator("form[method='post'] [type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/signup/done/$"))
    axe_check(page)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_logged_in(page, lang):
    sirene_demo_load()
    structure = StructureFactory(corporate_name="M A SOCIETE")
    ServiceFactory(structure=structure, code="COMPTA", name="Comptabilité")
    manager = UserFactory(email="jean.martin@example.fr", first_name="Jean", last_name="MARTIN")
    MembershipFactory(user=manager, structure=structure, primary=True)
    AttachmentRequest.objects.create(user=UserFactory(), structure=structure)
    other = StructureFactory(corporate_name="LE CHAT QUI PECHE")
    ServiceFactory(structure=other)

    page.goto(f"/{lang}/login/")
    page.locator("#id_username").fill(manager.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("a[href$='/logout/'], form[action$='/logout/']").first).to_be_attached()
    for path in (
        "/",
        "/mon-compte/",
        "/mon-compte/rattachements/recherche/?corporate_name=CHAT",
        f"/mon-compte/structures/nouvelle/?identifier_type=SIRET&identifier={LE_CHAT_QUI_PECHE}",
        "/gestionnaire/",
        f"/gestionnaire/structures/{structure.pk}/",
        f"/gestionnaire/structures/{structure.pk}/modifier/",
        f"/mon-compte/rattachements/demande/{other.pk}/",
        "/espaces/issued-invoices/",
        "/mon-compte/structures/nouvelle/",
    ):
        visit(page, f"/{lang}{path}")
    # A form shown again with its errors: a structure without its required fields.
    page.locator("#id_identifier").fill("123")
    page.locator("#id_identifier").press("Enter")
    expect(page.locator(".fr-input-group--error").first).to_be_visible()
    axe_check(page)
    # The view answers an invalid form with 400, which Chromium logs to the console: expected here.
    page.console_errors[:] = [error for error in page.console_errors if "status of 400" not in error]
