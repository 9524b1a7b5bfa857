"""The header's main menu: its entries for a visitor, a user and a manager, and the one marked as the current page."""

import re

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation

from tests.connected.conftest import login
from tests.factories import MembershipFactory
from workspaces.services import workspace_activation_set

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="fr-nav__link" href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def menu(client, path):
    """(href, label, current) of each entry of the menu of the page at ``path``."""
    response = client.get(path)
    assert response.status_code == 200, path
    return [(href, label, bool(current)) for href, current, label in LINK.findall(response.text)]


def test_a_visitor_sees_the_home_entry_only(client):
    assert menu(client, "/fr/") == [("/fr/", "Accueil", True)]
    assert menu(client, "/en/login/") == [("/en/", "Home", False)]


def test_a_manager_sees_every_entry_and_the_page_shown_is_marked(client, structure_with_manager, workspaces):
    structure, manager = structure_with_manager
    workspace_activation_set(user=manager, workspace=workspaces[0], is_active=True)
    login(client, manager)
    workspace_url = reverse("workspace", args=[workspaces[0].code])
    expected = [
        ("/fr/", "Accueil connecté"),
        (reverse("manager"), "Activités du gestionnaire"),
        (workspace_url, "Factures émises"),
        (reverse("account"), "Mon Compte"),
    ]
    # Each page, and the entry it belongs to.
    pages = {
        "/fr/": 0,
        reverse("manager"): 1,
        reverse("manager_structure", args=[structure.pk]): 1,
        workspace_url: 2,
        reverse("account"): 3,
        reverse("attachment_search"): 3,
    }
    for path, current in pages.items():
        assert menu(client, path) == [
            (href, label, index == current) for index, (href, label) in enumerate(expected)
        ], path


def test_a_user_of_a_structure_has_no_manager_entry_and_reads_it_in_english(client, structure_with_manager):
    structure, _ = structure_with_manager
    login(client, MembershipFactory(structure=structure).user)
    with translation.override("en"):
        account_url = reverse("account")
    assert menu(client, account_url) == [("/en/", "Connected home", False), (account_url, "My account", True)]


def test_each_user_reads_their_own_menu_in_turn_and_a_renamed_workspace_at_once(
    client, structure_with_manager, workspaces
):
    """The menu's markup is kept per entries shown: users who see different entries in turn never get each other's,
    and a workspace renamed or closed shows at once."""
    structure, manager = structure_with_manager
    user = MembershipFactory(structure=structure).user
    for person in (manager, user):
        workspace_activation_set(user=person, workspace=workspaces[0], is_active=True)
    workspace_url = reverse("workspace", args=[workspaces[0].code])
    manager_menu = [
        ("/fr/", "Accueil connecté", True),
        (reverse("manager"), "Activités du gestionnaire", False),
        (workspace_url, "Factures émises", False),
        (reverse("account"), "Mon Compte", False),
    ]
    user_menu = [manager_menu[0], manager_menu[2], manager_menu[3]]
    for person, expected in [(manager, manager_menu), (user, user_menu), (manager, manager_menu)]:
        login(client, person)
        assert menu(client, "/fr/") == expected

    workspaces[0].label_fr = "Factures émises et reçues"
    workspaces[0].save()
    assert menu(client, "/fr/")[2] == (workspace_url, "Factures émises et reçues", False)
    workspace_activation_set(user=manager, workspace=workspaces[0], is_active=False)
    assert [label for _, label, _ in menu(client, "/fr/")] == [
        "Accueil connecté",
        "Activités du gestionnaire",
        "Mon Compte",
    ]


def test_the_menu_follows_the_script_prefix(client):
    assert menu(client, "/fr/") == [("/fr/", "Accueil", True)]
    try:
        set_script_prefix("/portail/")
        assert menu(client, "/fr/") == [("/portail/fr/", "Accueil", True)]
    finally:
        set_script_prefix("/")
    assert menu(client, "/fr/") == [("/fr/", "Accueil", True)]
