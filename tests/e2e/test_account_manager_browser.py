""" "Mon Compte" and the primary manager's activities in a real Chromium, FR and EN, with axe on every page."""

import pytest
from playwright.sync_api import expect

from structures.models import Membership, Role
from tests.browser import axe_check
from tests.e2e.test_connected_browser import log_in
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, StructureFactory, UserFactory
from workspaces.selectors import workspace_active_codes

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Ciel-Bleu-Sur-Quimper-2026!"

ACCOUNT_LABELS = {
    "fr": {
        "account": "Mon Compte",
        "phone": "Téléphone",
        "save": "Enregistrer",
        "saved": "Vos informations personnelles ont été enregistrées.",
        "workspace": "Factures émises",
        "save_workspaces": "Enregistrer mes espaces",
        "workspaces_saved": "Vos espaces ont été mis à jour.",
        "menu": "Menu principal",
        "current": "Mot de passe actuel",
        "new": "Nouveau mot de passe",
        "confirmation": "Confirmation",
        "change": "Modifier mon mot de passe",
        "changed": "Votre mot de passe a été modifié.",
    },
    "en": {
        "account": "My account",
        "phone": "Phone",
        "save": "Save",
        "saved": "Your personal information has been saved.",
        "workspace": "Issued invoices",
        "save_workspaces": "Save my workspaces",
        "workspaces_saved": "Your workspaces have been updated.",
        "menu": "Main menu",
        "current": "Current password",
        "new": "New password",
        "confirmation": "Confirmation",
        "change": "Change my password",
        "changed": "Your password has been changed.",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_my_account_profile_workspace_and_password(page, lang):
    labels = ACCOUNT_LABELS[lang]
    supplier = UserFactory(email="stephanie.dupond@example.fr", language=lang)
    MembershipFactory(user=supplier)
    log_in(page, lang, supplier)
    page.get_by_role("link", name=labels["account"], exact=True).first.click()
    axe_check(page)

    profile = page.locator("#personal")
    profile.get_by_label(labels["phone"]).fill("01 23 45 67 89")
    profile.get_by_role("button", name=labels["save"], exact=True).click()
    expect(page.get_by_text(labels["saved"])).to_be_visible()
    supplier.refresh_from_db()
    assert supplier.phone == "01 23 45 67 89"

    # The workspace opens at once: its tab is in the main menu of the very next page, without logging out.
    menu_tab = page.get_by_role("navigation", name=labels["menu"]).get_by_role(
        "link", name=labels["workspace"]
    )
    expect(menu_tab).to_have_count(0)
    page.locator("#workspaces").get_by_label(labels["workspace"]).check(force=True)
    page.locator("#workspaces").get_by_role("button", name=labels["save_workspaces"]).click()
    expect(page.get_by_text(labels["workspaces_saved"])).to_be_visible()
    expect(menu_tab).to_have_count(1)
    assert "issued-invoices" in workspace_active_codes(user=supplier)
    axe_check(page)
    page.locator("#workspaces").get_by_label(labels["workspace"]).uncheck(force=True)
    page.locator("#workspaces").get_by_role("button", name=labels["save_workspaces"]).click()
    expect(page.get_by_text(labels["workspaces_saved"])).to_be_visible()
    expect(menu_tab).to_have_count(0)
    assert "issued-invoices" not in workspace_active_codes(user=supplier)

    # Two forms of the page ask the current password: each label leads to its own form's field.
    password = page.locator("#password")
    password.get_by_label(labels["current"]).fill(DEFAULT_PASSWORD)
    password.get_by_label(labels["new"]).fill(NEW_PASSWORD)
    password.get_by_label(labels["confirmation"]).fill(NEW_PASSWORD)
    assert page.locator("#secret-question").get_by_label(labels["current"]).input_value() == ""
    password.get_by_role("button", name=labels["change"]).click()
    expect(page.get_by_text(labels["changed"])).to_be_visible()
    axe_check(page)
    supplier.refresh_from_db()
    assert supplier.check_password(NEW_PASSWORD)


MANAGER_LABELS = {
    "fr": {
        "manager": "Activités du gestionnaire",
        "edit": "Modifier la structure",
        "label": "Libellé de la structure",
        "save": "Enregistrer",
        "updated": "La structure a été modifiée.",
        "secondary": "Nommer gestionnaire secondaire",
        "role_changed": "Le rôle a été modifié.",
        "transfer": "Transférer le rôle de gestionnaire principal",
        "transferred": "Vous êtes désormais gestionnaire secondaire.",
    },
    "en": {
        "manager": "Manager activities",
        "edit": "Edit the structure",
        "label": "Structure label",
        "save": "Save",
        "updated": "The structure has been updated.",
        "secondary": "Make secondary manager",
        "role_changed": "The role has been changed.",
        "transfer": "Transfer the primary manager role",
        "transferred": "You are now secondary manager.",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_primary_manager_edits_the_structure_promotes_a_user_and_transfers_the_role(page, lang):
    labels = MANAGER_LABELS[lang]
    structure = StructureFactory(corporate_name="M A SOCIETE")
    manager = UserFactory(email="jean.martin@example.fr", language=lang)
    MembershipFactory(user=manager, structure=structure, primary=True)
    colleague = UserFactory(email="anne.durand@example.fr", first_name="Anne", last_name="DURAND")
    MembershipFactory(user=colleague, structure=structure)

    log_in(page, lang, manager)
    page.get_by_role("link", name=labels["manager"]).first.click()
    page.locator("main").get_by_role("link", name="M A SOCIETE").first.click()
    axe_check(page)

    page.get_by_role("link", name=labels["edit"]).click()
    axe_check(page)
    page.get_by_label(labels["label"]).fill("Siège de Quimper")
    page.locator("main form").get_by_role("button", name=labels["save"], exact=True).click()
    expect(page.get_by_text(labels["updated"])).to_be_visible()
    structure.refresh_from_db()
    assert structure.label == "Siège de Quimper"

    row = page.locator("#members tr", has_text="anne.durand@example.fr")
    row.get_by_role("button", name=labels["secondary"]).click()
    expect(page.get_by_text(labels["role_changed"])).to_be_visible()
    assert Membership.objects.get(user=colleague, structure=structure).role == Role.SECONDARY_MANAGER
    axe_check(page)

    page.locator("#members tr", has_text="anne.durand@example.fr").get_by_role(
        "button", name=labels["transfer"]
    ).click()
    expect(page.get_by_text(labels["transferred"])).to_be_visible()
    roles = dict(
        Membership.objects.filter(structure=structure, is_active=True).values_list("user__email", "role")
    )
    assert roles == {
        "jean.martin@example.fr": Role.SECONDARY_MANAGER,
        "anne.durand@example.fr": Role.PRIMARY_MANAGER,
    }
    axe_check(page)
