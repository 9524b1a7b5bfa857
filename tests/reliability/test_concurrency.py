"""A crowd at once: 20 people signing up the same new structure, 20 managers deciding the same request.

Real concurrent transactions through the whole HTTP stack (one test client per person, one thread each), on
PostgreSQL: SQLite serialises writers, so these races cannot happen there. The two-person versions of both races
are in tests/accounts/test_signup_concurrency.py and tests/connected/test_manager.py."""

import threading

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from structures.models import AttachmentRequest, Event, Membership, Role, Structure
from tests.accounts.conftest import LE_CHAT_QUI_PECHE
from tests.accounts.test_signup_views import new_structure
from tests.connected.conftest import login
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from tests.reliability.conftest import run_together

CROWD = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("workspace_catalogue"),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL's concurrency"
    ),
]


def test_twenty_signups_of_the_same_new_structure(sirene):
    """Everyone passes step 1 while the structure does not exist yet, then all post step 2 at the same moment:
    one creates the structure and becomes its primary manager, the 19 others ask to be attached to it."""
    sirene.le_chat_qui_peche()
    emails = [f"signataire{number:02d}@example.fr" for number in range(CROWD)]
    barrier = threading.Barrier(CROWD)

    def signup(email):
        def run():
            client = Client()
            statuses = [client.get("/fr/signup/").status_code]
            identify = client.post("/fr/signup/", {"email": email, "siret": LE_CHAT_QUI_PECHE})
            assert (identify.status_code, identify.headers["Location"]) == (302, "/fr/signup/information/")
            step2 = client.get("/fr/signup/information/")
            assert 'name="corporate_name"' in step2.text  # nobody has created the structure yet
            statuses.append(step2.status_code)
            barrier.wait(30)
            details = client.post(
                "/fr/signup/information/", new_structure(email_confirmation=email, contact_email=email)
            )
            assert (details.status_code, details.headers["Location"]) == (302, "/fr/signup/working-areas/")
            areas = client.post("/fr/signup/working-areas/", {"workspaces": ["issued-invoices"]})
            assert (areas.status_code, areas.headers["Location"]) == (302, "/fr/signup/done/")
            done = client.get("/fr/signup/done/")
            statuses.append(done.status_code)
            assert statuses == [200, 200, 200]
            return "Vous êtes le premier à créer votre entreprise" in done.text

        return run

    results = run_together({email: signup(email) for email in emails})

    errors = {email: result for email, result in results.items() if isinstance(result, BaseException)}
    assert not errors
    structure = Structure.objects.get()
    assert structure.identifier == LE_CHAT_QUI_PECHE
    manager = Membership.objects.get(structure=structure)
    assert (manager.role, manager.is_active) == (Role.PRIMARY_MANAGER, True)
    requests = AttachmentRequest.objects.filter(structure=structure)
    assert {request.status for request in requests} == {AttachmentRequest.Status.PENDING}
    assert sorted(request.user.email for request in requests) == sorted(set(emails) - {manager.user.email})
    assert User.objects.count() == CROWD
    # Each person was told what happened to them: only the creator reads that they are the primary manager.
    assert [email for email, first in results.items() if first] == [manager.user.email]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_twenty_managers_deciding_one_request(lang, mailoutbox):
    """The primary manager and 19 secondary managers click at the same moment, half "Valider", half "Refuser":
    one decision, at most one membership, one email to the requester; everyone else reads that another manager
    already decided."""
    structure = StructureFactory()
    managers = [UserFactory(email=f"gestionnaire{number:02d}@example.fr") for number in range(CROWD)]
    MembershipFactory(user=managers[0], structure=structure, primary=True)
    for manager in managers[1:]:
        MembershipFactory(user=manager, structure=structure, secondary=True)
    requester = UserFactory(email="demandeur@example.fr")
    request = AttachmentRequest.objects.create(user=requester, structure=structure)
    barrier = threading.Barrier(CROWD)
    wordings = {
        "fr": {
            "approved": "1 demande validée.",
            "refused": "1 demande refusée.",
            "already": "déjà été traitées par un autre gestionnaire",
        },
        "en": {
            "approved": "1 request approved.",
            "refused": "1 request refused.",
            "already": "already been decided by another manager",
        },
    }[lang]
    mailoutbox.clear()

    def decide(number, manager):
        def run():
            client = Client()
            login(client, manager)
            data = {"requests": [request.pk], "decision": "approve" if number % 2 else "refuse"}
            barrier.wait(30)
            response = client.post(f"/{lang}/gestionnaire/decisions/", data, follow=True)
            assert response.status_code == 200
            assert response.redirect_chain == [(f"/{lang}/gestionnaire/", 302)]
            text = response.content.decode()
            return [label for label, wording in wordings.items() if wording in text]

        return run

    results = run_together(
        {manager.email: decide(number, manager) for number, manager in enumerate(managers)}
    )

    errors = {email: result for email, result in results.items() if isinstance(result, BaseException)}
    assert not errors
    outcomes = sorted(label for labels in results.values() for label in labels)
    request.refresh_from_db()
    decision = "approved" if request.status == AttachmentRequest.Status.APPROVED else "refused"
    assert request.status != AttachmentRequest.Status.PENDING
    assert outcomes == sorted([decision] + ["already"] * (CROWD - 1))
    decider = next(email for email, labels in results.items() if labels == [decision])
    assert request.decided_by.email == decider
    assert Membership.objects.filter(user=requester).count() == (1 if decision == "approved" else 0)
    decisions = [Event.Kind.REQUEST_APPROVED, Event.Kind.REQUEST_REFUSED]
    assert Event.objects.filter(user=requester, kind__in=decisions).count() == 1
    # A first attachment opens the default workspaces, once.
    opened = Event.objects.filter(user=requester, kind=Event.Kind.WORKSPACE_OPENED).count()
    assert opened == (2 if decision == "approved" else 0)
    assert [message.to for message in mailoutbox] == [[requester.email]]
