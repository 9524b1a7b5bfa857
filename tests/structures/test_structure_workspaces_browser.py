"""« Liste des espaces de la structure » in a real Chromium, FR and EN, with axe checks: a manager opens a
workspace on the structure, a member then opens it in "Mon Compte"; the further blocks of a new structure."""

import pytest

from structures.models import Structure
from structures.selectors import structure_workspace_codes
from structures.sirene.stock import sirene_demo_load
from tests.browser import axe_check
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, StructureFactory, UserFactory
from workspaces.selectors import workspace_active_codes

pytestmark = pytest.mark.browser

LABELS = {
    "fr": {
        "block": "Liste des espaces de la structure",
        "updated": "Les espaces de la structure ont été mis à jour",
        "reason": "Votre gestionnaire doit d'abord ouvrir cet espace sur la structure.",
        "save_mine": "Enregistrer mes espaces",
        "commitments": "Engagements",
        "validate": "Valider",
        "save": "Enregistrer",
        "mandate": "Souscrire un mandat de facturation",
    },
    "en": {
        "block": "List of the structure's workspaces",
        "updated": "The workspaces of the structure have been updated",
        "reason": "Your manager must first open this workspace on the structure.",
        "save_mine": "Save my workspaces",
        "commitments": "Commitments",
        "validate": "Validate",
        "save": "Save",
        "mandate": "Subscribe to a billing mandate",
    },
}
LANGS = pytest.mark.parametrize("lang", ["fr", "en"])


def log_in(page, lang, user):
    page.context.clear_cookies()
    page.goto(f"/{lang}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/")


@LANGS
def test_manager_opens_a_workspace_then_a_member_opens_it(page, lang):
    labels = LABELS[lang]
    structure = StructureFactory(corporate_name="M A SOCIETE")
    manager = MembershipFactory(structure=structure, primary=True, user__language=lang).user
    member = MembershipFactory(structure=structure, user__language=lang).user

    log_in(page, lang, member)
    page.goto(f"/{lang}/mon-compte/")
    assert page.get_by_text(labels["reason"]).first.is_visible()
    assert page.locator("#id_workspaces_commitments").is_disabled()
    axe_check(page)

    log_in(page, lang, manager)
    page.goto(f"/{lang}/gestionnaire/structures/{structure.pk}/")
    assert page.get_by_role("heading", name=labels["block"]).is_visible()
    axe_check(page)
    page.locator("#id_structure_workspace_commitments").check(force=True)
    page.locator("#workspaces button[type=submit]").click()
    assert page.get_by_text(labels["updated"]).is_visible()
    assert page.locator("#id_structure_workspace_commitments").is_checked()
    axe_check(page)
    assert structure_workspace_codes(structure=structure) == {"commitments"}

    log_in(page, lang, member)
    page.goto(f"/{lang}/mon-compte/")
    assert page.locator("#id_workspaces_commitments").is_enabled()
    page.locator("#id_workspaces_commitments").check(force=True)
    page.get_by_role("button", name=labels["save_mine"]).click()
    # At once, without logging out: the menu shows the workspace.
    assert page.locator("header").get_by_role("link", name=labels["commitments"]).first.is_visible()
    assert workspace_active_codes(user=member) == {"commitments"}
    axe_check(page)


@LANGS
def test_the_further_blocks_of_a_new_structure(page, lang):
    labels = LABELS[lang]
    sirene_demo_load()
    supplier = UserFactory(language=lang)
    log_in(page, lang, supplier)
    page.goto(f"/{lang}/mon-compte/structures/nouvelle/?identifier=51010091000015&identifier_type=SIRET")
    page.get_by_role("button", name=labels["save"], exact=True).click()
    assert page.get_by_role("heading", name=labels["block"]).is_visible()
    axe_check(page)
    page.locator("#id_structure_workspace_commitments").check(force=True)
    page.locator("#id_service-code").fill("ACHATS")
    page.locator("#id_service-name").fill("Achats")
    page.get_by_role("button", name=labels["validate"], exact=True).click()
    assert page.get_by_role("button", name=labels["mandate"]).is_visible()
    structure = Structure.objects.get(identifier="51010091000015")
    assert structure_workspace_codes(structure=structure) == {
        "commitments",
        "issued-invoices",
        "sent-requests",
    }
    assert list(structure.services.values_list("code", flat=True)) == ["ACHATS"]
