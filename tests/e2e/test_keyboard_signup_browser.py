"""The whole signup with the keyboard alone (Tab, Shift+Tab, Space, Enter and typing; no click, no `fill`), in
French, with a SIRET of the SIRENE demo extract. Every element the keyboard reaches shows that it has the focus."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from structures.models import Membership, Role
from structures.sirene.stock import sirene_demo_load
from tests.browser import axe_check

pytestmark = pytest.mark.browser

LE_CHAT_QUI_PECHE = "83128597800019"
EMAIL = "jean.clavier@example.fr"

# The focused element, or its label (DSFR draws the focus ring of checkboxes, radios and switches on the label or
# its pseudo-elements), has an outline or a box shadow it does not have without the focus (DSFR's fields always
# have a box shadow: their bottom border).
FOCUS_VISIBLE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const focused = (node, pseudo) => {
        const style = getComputedStyle(node, pseudo);
        return [style.outlineStyle, style.outlineWidth, style.boxShadow];
    };
    const nodes = [element, ...(element.labels || [])];
    const pseudos = [null, "::before", "::after"];
    const withFocus = nodes.map(node => pseudos.map(pseudo => focused(node, pseudo)));
    element.blur();
    const withoutFocus = nodes.map(node => pseudos.map(pseudo => focused(node, pseudo)));
    element.focus({focusVisible: true});
    const visible = (i, j) => {
        const [style, width, shadow] = withFocus[i][j];
        const outline = style !== "none" && parseFloat(width) > 0;
        const changed = JSON.stringify(withFocus[i][j]) !== JSON.stringify(withoutFocus[i][j]);
        return changed && (outline || shadow !== "none");
    };
    const shown = nodes.some((_node, i) => pseudos.some((_pseudo, j) => visible(i, j)));
    return {shown, what: element.outerHTML.slice(0, 120)};
}"""


def assert_focus_visible(page):
    focus = page.evaluate(FOCUS_VISIBLE)
    assert focus is not None, "nothing has the focus"
    assert focus["shown"], f"the focus is not visible on {focus['what']}"


def tab_to(page, selector, *, backwards=False, limit=120):
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus; every element reached on
    the way must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} never got the focus with {key}")


def type_into(page, selector, text, **kwargs):
    tab_to(page, selector, **kwargs)
    page.keyboard.type(text)


def test_the_whole_signup_with_the_keyboard_alone(page):
    sirene_demo_load()
    page.goto("/fr/signup/")

    # Step 1 "Identifiez-vous": email, SIRET (typed with spaces), then back to the email with Shift+Tab.
    type_into(page, "#id_email", "jean.clavier@example")
    type_into(page, "#id_siret", "831 285 978 00019")
    tab_to(page, "#id_email", backwards=True)
    page.keyboard.press("End")
    page.keyboard.type(".fr")
    tab_to(page, "form [type=submit]")
    page.keyboard.press("Enter")

    # Step 2: the structure comes from the SIRENE directory; the person fills in their block.
    expect(page.locator("#id_corporate_name")).to_have_value("LE CHAT QUI PECHE")
    type_into(page, "#id_email_confirmation", EMAIL)
    type_into(page, "#id_last_name", "CLAVIER")
    type_into(page, "#id_first_name", "Jean")
    type_into(page, "#id_captcha_1", "PASSED")
    tab_to(page, "input[name=features][value=dume]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=features][value=dume]")).to_be_checked()
    tab_to(page, "form [type=submit]")
    page.keyboard.press("Enter")

    # Step 3 "Ouvrez vos espaces de travail": one more area switched on with Space, then "Valider".
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ouvrez vos espaces de travail")
    tab_to(page, "input[name=workspaces][value=commitments]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=workspaces][value=commitments]")).to_be_checked()
    tab_to(page, "form [type=submit]")
    page.keyboard.press("Enter")

    # The confirmation.
    expect(page).to_have_url(re.compile(r"/fr/signup/done/$"))
    expect(page.get_by_role("heading", name="Votre compte est créé")).to_be_visible()
    axe_check(page)
    user = User.objects.get(email=EMAIL)
    assert user.last_name == "CLAVIER"
    assert Membership.objects.get(user=user).role == Role.PRIMARY_MANAGER
