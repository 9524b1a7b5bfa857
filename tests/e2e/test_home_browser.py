import pytest
from playwright.sync_api import expect

from tests.browser import axe_check
from tests.factories import DEFAULT_PASSWORD, NewsFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "heading", "news_text"),
    [
        ("fr", "Vous avez déjà un compte ?", "Chorus Pro remplace Chorus Factures"),
        ("en", "Already have an account?", "Chorus Pro replaces Chorus Factures"),
    ],
)
def test_home_page_in_each_language_is_accessible(page, language, heading, news_text):
    NewsFactory(body_fr="Chorus Pro remplace Chorus Factures", body_en="Chorus Pro replaces Chorus Factures")
    page.goto(f"/{language}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text(news_text).is_visible()
    axe_check(page)


def test_language_switch_keeps_the_page(page):
    page.goto("/fr/login/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/login/")


def test_login_and_logout_with_the_keyboard(page):
    UserFactory(email="stephanie.dupond@example.fr", first_name="Stéphanie", last_name="DUPOND")
    page.goto("/fr/")
    login_box = page.get_by_role("region", name="Vous avez déjà un compte ?")
    login_box.get_by_label("Adresse électronique de connexion").fill("Stephanie.Dupond@Example.fr")
    login_box.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    login_box.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url("**/fr/")
    assert page.get_by_text("Stéphanie DUPOND").first.is_visible()
    axe_check(page)
    page.get_by_role("button", name="Déconnexion").first.click()
    assert page.get_by_role("heading", name="Vous avez déjà un compte ?").is_visible()


def test_wrong_password_keeps_the_email_and_says_so(page):
    UserFactory(email="stephanie.dupond@example.fr")
    page.goto("/en/")
    login_box = page.get_by_role("region", name="Already have an account?")
    login_box.get_by_label("Login email address").fill("stephanie.dupond@example.fr")
    login_box.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/login/")
    assert page.get_by_text("Incorrect login email address or password").is_visible()
    assert page.get_by_label("Login email address").input_value() == "stephanie.dupond@example.fr"
    axe_check(page)


@pytest.mark.parametrize(
    ("lang", "block", "email", "siret", "validate", "step_two"),
    [
        (
            "fr",
            "Vous êtes nouveau sur Chorus Pro ?",
            "Adresse électronique de connexion",
            "Numéro de SIRET",
            "Valider",
            "Complétez les informations demandées",
        ),
        (
            "en",
            "New on Chorus Pro?",
            "Login email address",
            "SIRET number",
            "Validate",
            "Fill in the requested information",
        ),
    ],
)
def test_new_on_chorus_pro_block_starts_the_signup(page, lang, block, email, siret, validate, step_two):
    StructureFactory(identifier="51010091000015")
    page.goto(f"/{lang}/")
    form = page.get_by_role("form", name=block)
    form.get_by_label(email).fill("nouveau@example.fr")
    form.get_by_label(siret).fill("510 100 910 00015")
    axe_check(page)
    form.get_by_role("button", name=validate).click()
    page.wait_for_url(f"**/{lang}/signup/information/")
    expect(page.get_by_text(step_two).first).to_be_visible()
