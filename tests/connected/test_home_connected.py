import html
import re

import pytest
from django.urls import reverse

from structures.models import Event
from structures.services import event_record
from tests.connected.conftest import login
from tests.factories import MembershipFactory, NewsFactory, UserFactory
from workspaces.models import WorkspaceActivation
from workspaces.services import workspace_activation_set


def test_anonymous_home_keeps_the_login_box(client):
    page = client.get("/fr/").text
    assert "Vous avez déjà un compte" in page or "Already have an account" in page
    assert "Fil d'événements" not in page


@pytest.mark.parametrize(
    ("lang", "feed", "empty", "menu"),
    [
        ("fr", "Fil d'événements", "Aucun fil d'événements trouvé.", "Accueil connecté"),
        ("en", "Event feed", "No event feed found.", "Connected home"),
    ],
)
def test_connected_home_empty_feed(client, supplier, lang, feed, empty, menu, django_assert_num_queries):
    login(client, supplier)
    client.get(f"/{lang}/")  # the news in the cache
    # session, its user and the statement of every connected page (its count of events: 0, so no page of events is
    # read; the open workspaces of the menu): one query; news (cache)
    with django_assert_num_queries(2):
        response = client.get(f"/{lang}/")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert feed in page
    assert empty in page
    assert menu in page
    assert reverse("attachment_search") in page  # not attached yet: the next step is shown
    assert reverse("account") in page
    assert reverse("manager") not in page  # a simple user has no "Activités du gestionnaire"


def test_connected_home_feed_newest_first_and_paginated(
    client, supplier, workspaces, django_assert_num_queries
):
    for _ in range(12):
        event_record(user=supplier, kind=Event.Kind.WORKSPACE_OPENED, actor=supplier, workspace=workspaces[0])
    event_record(user=supplier, kind=Event.Kind.ACCOUNT_CREATED)
    NewsFactory()
    login(client, supplier)
    client.get("/en/")  # the news in the cache
    # session, its user, the menu (manager?, open workspaces), the events count and "attached?": one query; events
    # page, news (cache)
    with django_assert_num_queries(3):
        page = client.get("/en/").content.decode()
    assert page.index("Your user account was created.") < page.index(
        "You opened the workspace Issued invoices."
    )
    assert page.count("You opened the workspace") == 9
    assert "1 / 2" in page
    second = client.get("/en/?page=2").content.decode()
    assert second.count("You opened the workspace") == 3
    assert "Your user account was created." not in second


def test_feed_shows_only_the_users_own_events(client, supplier, structure_with_manager):
    _structure, manager = structure_with_manager
    event_record(user=manager, kind=Event.Kind.ACCOUNT_CREATED)
    login(client, supplier)
    assert "Your user account was created." not in client.get("/en/").content.decode()


def test_menu_shows_manager_activities_and_open_workspaces(client, supplier, workspaces):
    MembershipFactory(user=supplier, secondary=True)
    WorkspaceActivation.objects.create(user=supplier, workspace=workspaces[1])
    login(client, supplier)
    page = client.get("/fr/").content.decode()
    assert "Activités du gestionnaire" in page
    assert "Sollicitations émises" in page
    assert "Factures émises" not in page
    assert "Mon Compte" in page


def test_workspace_page_is_an_honest_empty_state(client, supplier, workspaces):
    WorkspaceActivation.objects.create(user=supplier, workspace=workspaces[0])
    login(client, supplier)
    page = client.get(reverse("workspace", kwargs={"code": "factures-emises"})).content.decode()
    assert "Factures émises" in page
    assert "en dehors de ce portail" in page
    english = client.get("/en/espaces/factures-emises/").content.decode()
    assert "Issued invoices" in english and "outside this onboarding portal" in english


def test_workspace_page_needs_login_and_a_known_workspace(client, supplier):
    assert client.get("/fr/espaces/factures-emises/").status_code == 302
    login(client, supplier)
    assert client.get("/fr/espaces/inconnu/").status_code == 404


def test_the_feed_names_the_structure_the_person_and_the_manager_of_each_event(
    client, supplier, structure_with_manager, django_assert_num_queries
):
    structure, _manager = structure_with_manager
    requester = UserFactory(first_name="Zoé", last_name="<b>Martin</b>")
    event_record(user=supplier, kind=Event.Kind.REQUEST_RECEIVED, structure=structure, subject=requester)
    event_record(user=supplier, kind=Event.Kind.REQUEST_REFUSED, structure=structure, actor=None)
    login(client, supplier)
    client.get("/fr/")
    with django_assert_num_queries(3) as queries:  # as many whatever the rows refer to
        page = client.get("/fr/").content.decode()
    assert "Zoé &lt;b&gt;Martin&lt;/b&gt;" in page and "<b>Martin" not in page
    assert html.escape(structure.display_name) in page
    # The feed reads the names it shows of the rows an event refers to, not the people's password hashes.
    (feed,) = [query["sql"] for query in queries if query["sql"].startswith('SELECT "structures_event"')]
    assert '"first_name"' in feed and '"password"' not in feed and '"address"' not in feed


def test_the_connected_home_shows_a_news_item_changed_at_once(
    client, supplier, django_capture_on_commit_callbacks
):
    item = NewsFactory(body_en="Invoices from 1 September")
    login(client, supplier)
    assert "Invoices from 1 September" in client.get("/en/").text
    with django_capture_on_commit_callbacks(execute=True):
        item.body_en = "Invoices from 1 October"
        item.save()
    page = client.get("/en/").text
    assert "Invoices from 1 October" in page and "1 September" not in page


def test_mes_espaces_lists_each_users_own_workspaces_in_turn(client, structure_with_manager, workspaces):
    """« Mes espaces » is kept per workspaces listed: users who have different ones open, in turn, each see their
    own, and a renamed workspace shows at once."""
    structure, manager = structure_with_manager
    user = MembershipFactory(structure=structure).user
    workspace_activation_set(user=manager, workspace=workspaces[0], is_active=True)
    for person in (manager, user):
        workspace_activation_set(user=person, workspace=workspaces[1], is_active=True)
    spaces = re.compile(r'<li><a class="fr-link" href="/en/[^"]+/">([^<]+)</a></li>')
    for person, expected in [
        (manager, ["Issued invoices", "Sent requests"]),
        (user, ["Sent requests"]),
        (UserFactory(), []),
        (manager, ["Issued invoices", "Sent requests"]),
    ]:
        login(client, person)
        page = client.get("/en/").text
        assert spaces.findall(page) == expected
        assert ("You have not opened any workspace yet." in page) is not expected
    workspaces[1].label_en = "Support requests"
    workspaces[1].save()
    assert spaces.findall(client.get("/en/").text) == ["Issued invoices", "Support requests"]
