"""Moderating one structure in a real Chromium, as a moderator logging in through the admin's login page."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from structures.models import Establishment, ModerationAction, Structure
from structures.sirene.stock import sirene_demo_load
from tests.admin.conftest import saved_user
from tests.factories import DEFAULT_PASSWORD, MembershipFactory


def moderators_group():
    """The group of the data migration (recreated here: transactional tests empty the tables after them)."""
    migration = importlib.import_module("accounts.migrations.0002_staff_groups")
    group, _ = Group.objects.get_or_create(name=migration.MODERATORS)
    condition = Q()
    for app_label, codenames in migration.MODERATOR_PERMISSIONS.items():
        condition |= Q(content_type__app_label=app_label, codename__in=codenames)
    later = importlib.import_module("accounts.migrations.0004_moderators_history_and_sirene")
    condition |= Q(content_type__app_label="structures", codename__in=later.CODENAMES)
    group.permissions.add(*Permission.objects.filter(condition))
    return group


@pytest.mark.browser
def test_a_moderator_verifies_then_suspends_a_structure(live_server, page):
    moderator = saved_user(email="moderatrice@chorus-pro.example", is_staff=True)
    moderator.groups.add(moderators_group())
    structure = MembershipFactory(primary=True, structure__corporate_name="BOULANGERIE DUPONT").structure

    page.goto(f"{live_server.url}/fr/admin/")
    page.fill("#id_username", moderator.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/fr/admin/")

    page.goto(f"{live_server.url}/fr/admin/structures/structure/?q=boulangerie")
    row = page.locator("#result_list tbody tr", has_text="BOULANGERIE DUPONT")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "verify")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    structure.refresh_from_db()
    assert structure.moderation == Structure.Moderation.VERIFIED

    # From the structure's page: suspend, with the reason asked on the confirmation page.
    row = page.locator("#result_list tbody tr", has_text="BOULANGERIE DUPONT")
    row.locator("a", has_text="BOULANGERIE DUPONT").click()
    page.select_option("select[name='CHANGE_FORM-action']", "suspend")
    page.locator("button[name=index]").first.click()
    page.fill("#id_reason", "Entreprise fictive signalée")
    page.click("input[type=submit][value=Suspendre]")
    page.wait_for_selector(".messagelist .success")
    structure.refresh_from_db()
    assert structure.moderation == Structure.Moderation.SUSPENDED
    assert list(ModerationAction.objects.values_list("action", "actor__email").order_by("pk")) == [
        (ModerationAction.Action.STRUCTURE_VERIFY, moderator.email),
        (ModerationAction.Action.STRUCTURE_SUSPEND, moderator.email),
    ]


@pytest.mark.browser
def test_a_moderator_refreshes_a_structure_from_sirene_and_sees_what_changed(live_server, page):
    moderator = saved_user(email="moderatrice@chorus-pro.example", is_staff=True)
    moderator.groups.add(moderators_group())
    sirene_demo_load()
    Establishment.objects.filter(siret="83128597800019").update(city="PARIS")
    structure = MembershipFactory(
        primary=True, structure__identifier="83128597800019", structure__corporate_name="ANCIEN NOM"
    ).structure

    page.goto(f"{live_server.url}/fr/admin/")
    page.fill("#id_username", moderator.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/fr/admin/")

    page.goto(f"{live_server.url}/fr/admin/structures/structure/{structure.pk}/change/")
    page.select_option("select[name='CHANGE_FORM-action']", "refresh_from_sirene")
    page.locator("button[name=index]").first.click()
    message = page.locator(".messagelist .success")
    message.wait_for()
    assert "« ANCIEN NOM » → « LE CHAT QUI PECHE »" in message.inner_text()
    assert "« PARIS 12 » → « PARIS »" in message.inner_text()
    structure.refresh_from_db()
    assert (structure.corporate_name, structure.city) == ("LE CHAT QUI PECHE", "PARIS")
    assert ModerationAction.objects.get().action == ModerationAction.Action.STRUCTURE_REFRESH
