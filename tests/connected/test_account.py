import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecretQuestion
from structures.models import AttachmentRequest, Event, Membership, Role, Scope, Structure
from tests.connected.conftest import login
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ServiceFactory, StructureFactory
from workspaces.models import Workspace, WorkspaceActivation


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fr",
            [
                "Mes informations personnelles",
                "Votre adresse de contact sera utilisée pour toutes les notifications",
                "Mes rattachements aux structures",
                "Identifiant Structure",
                "Raison sociale",
                "Demander un rattachement",
                "Mot de passe actuel",
                "Nouveau mot de passe",
            ],
        ),
        (
            "en",
            [
                "My personal information",
                "Your contact address will be used for all notifications",
                "My attachments to structures",
                "Structure identifier",
                "Request an attachment",
                "Current password",
                "New password",
            ],
        ),
    ],
)
def test_account_page(client, supplier, workspaces, lang, texts, django_assert_max_num_queries):
    MembershipFactory(user=supplier)
    structure = StructureFactory()
    AttachmentRequest.objects.create(user=supplier, structure=structure)
    login(client, supplier)
    with django_assert_max_num_queries(10):
        response = client.get(f"/{lang}/mon-compte/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in texts:
        assert text in page
    assert 'value="stephanie.dupond@example.fr" readonly' in page


def test_account_page_queries_do_not_grow_with_attachments(client, supplier, django_assert_num_queries):
    for _ in range(3):
        structure = StructureFactory()
        MembershipFactory(user=supplier, structure=structure)
        pending = StructureFactory()
        MembershipFactory(structure=pending, primary=True)
        AttachmentRequest.objects.create(user=supplier, structure=pending)
    # the session, its user and what every connected page reads of them (attachment counts, workspace codes and
    # catalogue: memberships, requests by status, the menu's manager check, the user's workspaces, those of their
    # structures and the catalogue, shared by the form and the menu): one query; memberships, pending + services +
    # primary managers
    login(client, supplier)
    with django_assert_num_queries(5) as queries:
        page = client.get("/en/mon-compte/").text
    for structure in Structure.objects.filter(memberships__user=supplier):
        assert structure.identifier in page and html.escape(structure.corporate_name) in page
    # The attachments read what their rows show of each structure, not its address or search text.
    (memberships,) = [
        query["sql"]
        for query in queries
        if 'ORDER BY "structures_structure"."corporate_name"' in query["sql"]
    ]
    assert '"corporate_name"' in memberships and '"search_text"' not in memberships


def test_account_requires_login(client):
    response = client.get("/fr/mon-compte/")
    assert response.status_code == 302


def test_profile_update(client, supplier):
    login(client, supplier)
    response = client.post(
        reverse("account_profile"),
        {
            "contact_email": "Compta@Example.fr",
            "last_name": "DURAND",
            "first_name": "Anne",
            "phone": "+33 1 23",
        },
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert (supplier.contact_email, supplier.last_name, supplier.first_name) == (
        "compta@example.fr",
        "DURAND",
        "Anne",
    )
    assert supplier.email == "stephanie.dupond@example.fr"


def test_profile_errors_are_shown_at_the_field_and_input_kept(client, supplier):
    login(client, supplier)
    response = client.post(
        "/fr/mon-compte/informations/",
        {"contact_email": "pas-une-adresse", "last_name": "", "first_name": "Anne", "phone": "abc"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="pas-une-adresse"' in page
    assert "Saisissez un numéro de téléphone" in page
    assert "Saisissez une adresse de courriel valide." in page


def test_password_change_needs_the_current_password(client, supplier):
    login(client, supplier)
    wrong = client.post(
        "/en/mon-compte/mot-de-passe/",
        {
            "current_password": "wrong",
            "password1": "Nouveau-Mot2Passe!",
            "password2": "Nouveau-Mot2Passe!",
        },
    )
    assert wrong.status_code == 400
    assert "Your current password is incorrect." in wrong.content.decode()
    right = client.post(
        "/en/mon-compte/mot-de-passe/",
        {
            "current_password": DEFAULT_PASSWORD,
            "password1": "Nouveau-Mot2Passe!",
            "password2": "Nouveau-Mot2Passe!",
        },
    )
    assert right.status_code == 302
    supplier.refresh_from_db()
    assert supplier.check_password("Nouveau-Mot2Passe!")
    assert client.get("/en/mon-compte/").status_code == 200  # still logged in


def test_password_change_validates_the_new_password(client, supplier):
    login(client, supplier)
    response = client.post(
        "/fr/mon-compte/mot-de-passe/",
        {"current_password": DEFAULT_PASSWORD, "password1": "court", "password2": "court"},
    )
    assert response.status_code == 400
    assert "12" in response.content.decode()


def test_workspaces_apply_at_once_and_enter_the_feed(client, supplier, workspaces):
    login(client, supplier)
    client.post("/fr/mon-compte/espaces/", {"workspaces": ["factures-emises", "sollicitations-emises"]})
    home = client.get("/fr/").content.decode()
    assert 'href="/fr/espaces/factures-emises/"' in home
    assert "Vous avez ouvert l&#x27;espace Factures émises." in home
    client.post("/fr/mon-compte/espaces/", {"workspaces": ["sollicitations-emises"]})
    assert not WorkspaceActivation.objects.get(user=supplier, workspace_id="factures-emises").is_active
    assert 'href="/fr/espaces/factures-emises/"' not in client.get("/fr/").content.decode()
    assert Event.objects.filter(user=supplier, kind=Event.Kind.WORKSPACE_CLOSED).count() == 1


def test_unknown_workspace_is_refused_at_the_field(client, supplier, workspaces):
    login(client, supplier)
    response = client.post("/en/mon-compte/espaces/", {"workspaces": ["nope"]})
    assert response.status_code == 400


# --- attachments ---------------------------------------------------------------------------------------------


def test_attachment_search_with_seed_criteria(client, supplier, structure_with_manager):
    structure, _ = structure_with_manager
    login(client, supplier)
    page = client.get(
        "/fr/mon-compte/rattachements/recherche/",
        {"identifier": structure.identifier, "identifier_type": "SIRET"},
    ).content.decode()
    for label in [
        "Raison sociale",
        "Type d&#x27;identifiant",
        "Libellé de la structure",
        "Code postal",
        "Pays",
    ]:
        assert label in page
    assert "M A SOCIETE" in page
    assert "5 lignes par page (1 ligne)" in page


def test_attachment_search_without_result_offers_the_way_forward(client, supplier):
    login(client, supplier)
    page = client.get(
        "/fr/mon-compte/rattachements/recherche/",
        {"identifier": "51010091000015", "identifier_type": "SIRET"},
    ).content.decode()
    assert "5 lignes par page (0 lignes)" in page
    assert "Les structures publiques" in page


def test_attachment_search_needs_a_criterion(client, supplier):
    login(client, supplier)
    page = client.get("/en/mon-compte/rattachements/recherche/", {"city": ""}).content.decode()
    assert "Enter at least one search criterion." in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_attachment_search_five_rows_per_page(client, supplier, lang, django_assert_num_queries):
    for number in range(7):
        StructureFactory(corporate_name=f"GARAGE DU CENTRE {number}")
    login(client, supplier)
    # session, its user and the menu (manager? and open workspaces): one query; count, page (with is_member/has_pending)
    with django_assert_num_queries(3):
        page = client.get(f"/{lang}/mon-compte/rattachements/recherche/", {"corporate_name": "garage centre"})
    assert page.content.decode().count("<td>GARAGE DU CENTRE") == 5
    second = client.get(
        f"/{lang}/mon-compte/rattachements/recherche/", {"corporate_name": "garage", "page": 2}
    )
    assert second.content.decode().count("<td>GARAGE DU CENTRE") == 2


def test_request_an_attachment_to_the_whole_structure(
    client, supplier, structure_with_manager, mailoutbox, django_capture_on_commit_callbacks
):
    structure, manager = structure_with_manager
    login(client, supplier)
    form = client.get(f"/fr/mon-compte/rattachements/demande/{structure.pk}/").content.decode()
    assert "La structure (y compris l&#x27;ensemble des services de ma structure)" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/fr/mon-compte/rattachements/demande/{structure.pk}/", {"scope": "STRUCTURE"}
        )
    assert response.status_code == 302
    request = AttachmentRequest.objects.get(user=supplier, structure=structure)
    assert request.status == AttachmentRequest.Status.PENDING
    assert [message.to for message in mailoutbox] == [[manager.email]]
    account = client.get("/fr/mon-compte/").content.decode()
    assert "En cours de validation" in account
    assert "Jean MARTIN (j***n@e***.fr)" in account
    # the same request again creates nothing
    again = client.post(
        f"/fr/mon-compte/rattachements/demande/{structure.pk}/", {"scope": "STRUCTURE"}, follow=True
    )
    assert "Vous avez déjà une demande de rattachement en attente" in again.content.decode()
    assert AttachmentRequest.objects.filter(user=supplier).count() == 1
    assert Event.objects.filter(user=manager, kind=Event.Kind.REQUEST_RECEIVED).count() == 1


def test_request_some_services_only(client, supplier, structure_with_manager):
    structure, _ = structure_with_manager
    service = ServiceFactory(structure=structure, code="COMPTA")
    ServiceFactory(structure=structure, code="ACHATS")
    login(client, supplier)
    missing = client.post(f"/en/mon-compte/rattachements/demande/{structure.pk}/", {"scope": "SERVICES"})
    assert missing.status_code == 200 and "Choose at least one service." in missing.content.decode()
    client.post(
        f"/en/mon-compte/rattachements/demande/{structure.pk}/",
        {"scope": "SERVICES", "services": [service.pk]},
    )
    request = AttachmentRequest.objects.get(user=supplier)
    assert request.scope == Scope.SERVICES
    assert list(request.services.all()) == [service]


def test_cancel_a_pending_request(client, supplier, structure_with_manager):
    structure, _ = structure_with_manager
    request = AttachmentRequest.objects.create(user=supplier, structure=structure)
    login(client, supplier)
    client.post(f"/fr/mon-compte/rattachements/{request.pk}/annuler/")
    request.refresh_from_db()
    assert request.status == AttachmentRequest.Status.CANCELLED
    assert "Annulée" in client.get("/fr/mon-compte/").content.decode()


def test_nobody_cancels_someone_elses_request(client, supplier, structure_with_manager):
    structure, manager = structure_with_manager
    request = AttachmentRequest.objects.create(user=supplier, structure=structure)
    login(client, manager)
    assert client.post(f"/fr/mon-compte/rattachements/{request.pk}/annuler/").status_code == 403
    request.refresh_from_db()
    assert request.status == AttachmentRequest.Status.PENDING


def test_remind_the_manager_is_rate_limited(
    client, supplier, structure_with_manager, mailoutbox, django_capture_on_commit_callbacks
):
    structure, manager = structure_with_manager
    start = timezone.now()
    request = AttachmentRequest.objects.create(user=supplier, structure=structure, created_at=start)
    login(client, supplier)
    url = f"/en/mon-compte/rattachements/{request.pk}/relancer/"
    too_soon = client.post(url, follow=True).content.decode()
    assert "less than 24 hours ago" in too_soon
    assert mailoutbox == []
    assert "Reminder possible from" in client.get("/en/mon-compte/").content.decode()
    with time_machine.travel(start + datetime.timedelta(hours=25)):
        assert "Remind the manager" in client.get("/en/mon-compte/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url)
        assert len(mailoutbox) == 1 and mailoutbox[0].to == [manager.email]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url)
        assert len(mailoutbox) == 1
    with (
        time_machine.travel(start + datetime.timedelta(hours=50)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(url)
    assert len(mailoutbox) == 2
    assert Event.objects.filter(user=manager, kind=Event.Kind.REQUEST_REMINDED).count() == 2


def test_detach_myself(client, supplier):
    membership = MembershipFactory(user=supplier)
    login(client, supplier)
    client.post("/fr/mon-compte/rattachements/supprimer/", {"memberships": [membership.pk]})
    membership.refresh_from_db()
    assert not membership.is_active
    assert Event.objects.filter(user=supplier, kind=Event.Kind.DETACHED).exists()


def test_primary_manager_must_transfer_before_detaching(client, structure_with_manager):
    _structure, manager = structure_with_manager
    membership = Membership.objects.get(user=manager)
    login(client, manager)
    page = client.post(
        "/fr/mon-compte/rattachements/supprimer/", {"memberships": [membership.pk]}, follow=True
    ).content.decode()
    assert "Vous êtes le gestionnaire principal" in page
    membership.refresh_from_db()
    assert membership.is_active and membership.role == Role.PRIMARY_MANAGER


def test_cannot_detach_someone_elses_attachment(client, supplier):
    other = MembershipFactory()
    login(client, supplier)
    client.post("/fr/mon-compte/rattachements/supprimer/", {"memberships": [other.pk]})
    other.refresh_from_db()
    assert other.is_active


def test_secret_question_change_needs_the_current_password(client, supplier):
    login(client, supplier)
    url = "/fr/mon-compte/question-secrete/"
    wrong = client.post(
        url, {"current_password": "x", "secret_question": SecretQuestion.BIRTH_CITY, "secret_answer": "Lyon"}
    )
    assert wrong.status_code == 400
    assert "Votre mot de passe actuel est incorrect." in wrong.content.decode()
    client.post(
        url,
        {
            "current_password": DEFAULT_PASSWORD,
            "secret_question": SecretQuestion.BIRTH_CITY,
            "secret_answer": " LYÔN ",
        },
    )
    supplier.refresh_from_db()
    assert supplier.secret_question == SecretQuestion.BIRTH_CITY
    assert supplier.check_secret_answer("lyon")
    assert "lyon" not in supplier.secret_answer.lower().split("$")[-1]


@pytest.mark.parametrize(
    ("lang", "status_line"), [("fr", "5 lignes par page (12 lignes)"), ("en", "5 rows per page (12 rows)")]
)
def test_attachments_five_rows_per_page(client, supplier, lang, status_line, django_assert_num_queries):
    """ "Mes rattachements aux structures" pages its rows like the search: attachments, then pending requests,
    then closed ones; a page reads only the rows it shows, in a bounded number of queries."""
    for number in range(7):
        MembershipFactory(user=supplier, structure=StructureFactory(corporate_name=f"ATTACHEE {number}"))
    for number in range(3):
        structure = StructureFactory(corporate_name=f"EN ATTENTE {number}")
        MembershipFactory(structure=structure, primary=True)
        AttachmentRequest.objects.create(user=supplier, structure=structure)
    for number in range(2):
        AttachmentRequest.objects.create(
            user=supplier,
            structure=StructureFactory(corporate_name=f"REFUSEE {number}"),
            status=AttachmentRequest.Status.REFUSED,
            decided_at=timezone.now() + datetime.timedelta(minutes=number),
        )
    login(client, supplier)
    pages = []
    # session, its user, the counts, workspace codes and catalogue (with the menu's): one query; the page's rows
    # (memberships; pending requests + services + primary managers; closed requests)
    for number, queries in ((1, 2), (2, 5), (3, 2)):
        with django_assert_num_queries(queries):
            response = client.get(f"/{lang}/mon-compte/", {"page": number})
        pages.append(html.unescape(response.content.decode()))
    assert all(status_line in page for page in pages)
    rows = [re.findall(r"<td>((?:ATTACHEE|EN ATTENTE|REFUSEE) \d)</td>", page) for page in pages]
    assert rows == [
        [f"ATTACHEE {n}" for n in range(5)],
        ["ATTACHEE 5", "ATTACHEE 6", "EN ATTENTE 2", "EN ATTENTE 1", "EN ATTENTE 0"],
        ["REFUSEE 1", "REFUSEE 0"],
    ]
    assert 'href="?page=2#attachments"' in pages[0]
    assert 'id="cancel-' not in pages[0] and pages[1].count('id="cancel-') == 3
    assert "Supprimer rattachements" in pages[0] or "Remove attachments" in pages[0]
    assert "Supprimer rattachements" not in pages[2] and "Remove attachments" not in pages[2]


def test_mon_compte_lists_the_catalogue_as_it_is_in_the_database(client, supplier, workspaces):
    """The catalogue comes with the statement that reads the user's counts: even a change that bypasses the
    models' signals (a bulk update) shows at once, in the catalogue's order."""
    login(client, supplier)
    page = client.get("/en/mon-compte/").text
    assert "Submit and follow your invoices" in page
    # Position 2, then the migrated catalogue's, 10 and on.
    assert page.index("Your requests to the support") < page.index("Commitments")
    moved = Workspace.objects.filter(code=workspaces[1].code)
    moved.update(label_en="Questions to the support", position=1000)
    Workspace.objects.filter(code=workspaces[0].code).update(is_available=False)
    page = client.get("/en/mon-compte/").text
    assert "Submit and follow your invoices" not in page
    assert page.index("Questions to the support") > page.index("Commitments")


@pytest.mark.parametrize(("lang", "role"), [("fr", "Gestionnaire principal"), ("en", "Primary manager")])
def test_an_attachment_row_shows_its_role_and_keeps_its_id_unlocalized(
    client, supplier, settings, lang, role
):
    """A row's checkbox sends the attachment's id as it is, even where numbers are shown with separators."""
    settings.USE_THOUSAND_SEPARATOR = True
    membership = MembershipFactory(pk=12345, user=supplier, primary=True)
    login(client, supplier)
    page = html.unescape(client.get(f"/{lang}/mon-compte/").text)
    assert f'value="{membership.pk}" id="membership-{membership.pk}"' in page
    assert f"<td>{role}</td>" in page
