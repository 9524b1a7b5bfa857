import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import (
    PersonData,
    SignupAlreadySubmitted,
    signup_identify,
    user_signup,
)
from accounts.signup_state import Outcome
from structures.models import AttachmentRequest, IdentifierType, Membership, Role, Scope, Structure
from structures.services import StructureData
from tests.accounts.conftest import (
    CLOSED_SIRET,
    LE_CHAT_QUI_PECHE,
    NON_DIFFUSIBLE_SIRET,
    UNAVAILABLE_SIRET,
    UNKNOWN_SIRET,
)
from tests.factories import MembershipFactory, ServiceFactory, StructureFactory, UserFactory
from workspaces.selectors import workspace_active_codes

BASE_URL = "http://testserver"


def identify(siret, email="jean.dupond@example.fr", identifier_type=IdentifierType.SIRET):
    return signup_identify(email=email, identifier_type=identifier_type, identifier=siret, base_url=BASE_URL)


def person(email="jean.dupond@example.fr", **kwargs):
    return PersonData(email=email, last_name="DUPOND", first_name="Jean", **kwargs)


def chat_qui_peche(**kwargs):
    return StructureData(
        identifier_type=IdentifierType.SIRET,
        identifier=LE_CHAT_QUI_PECHE,
        corporate_name="LE CHAT QUI PECHE",
        address="19 B RUE DE COTTE",
        postal_code="75012",
        city="PARIS 12",
        **kwargs,
    )


# --- Step 1 -------------------------------------------------------------------------------------


def test_new_siret_is_prefilled_from_sirene(sirene, mailoutbox):
    sirene.le_chat_qui_peche()
    identification = identify(LE_CHAT_QUI_PECHE)
    assert identification.outcome == Outcome.NEW
    assert identification.prefill == {
        "corporate_name": "LE CHAT QUI PECHE",
        "address": "19 B RUE DE COTTE",
        "postal_code": "75012",
        "city": "PARIS 12",
        "country": "FR",
    }
    assert not identification.sirene_unavailable
    assert mailoutbox == []


def test_non_diffusible_siret_prefills_no_address(sirene):
    sirene.found(NON_DIFFUSIBLE_SIRET, "SOCIETE DISCRETE", city="NANTES", non_diffusible=True)
    identification = identify(NON_DIFFUSIBLE_SIRET)
    assert identification.prefill == {"corporate_name": "SOCIETE DISCRETE", "is_non_diffusible": True}


@pytest.mark.parametrize(
    ("arrange", "siret", "code"),
    [("unknown", UNKNOWN_SIRET, "siret_unknown"), ("closed", CLOSED_SIRET, "siret_closed")],
)
def test_unknown_or_closed_siret_is_refused(sirene, arrange, siret, code):
    getattr(sirene, arrange)()
    with pytest.raises(ValidationError) as error:
        identify(siret)
    assert error.value.code == code


def test_unavailable_directory_means_manual_entry(sirene):
    sirene.unavailable()
    identification = identify(UNAVAILABLE_SIRET)
    assert identification.outcome == Outcome.NEW
    assert identification.sirene_unavailable
    assert identification.prefill == {}


def test_existing_structure_is_found_without_asking_sirene(sirene):
    structure = StructureFactory(identifier=LE_CHAT_QUI_PECHE)
    identification = identify(LE_CHAT_QUI_PECHE)
    assert identification == type(identification)(outcome=Outcome.EXISTING, structure_id=structure.pk)
    assert sirene.requests == []


def test_other_identifier_types_are_entered_by_hand(sirene):
    identification = identify("DE136695976", identifier_type=IdentifierType.UE_HORS_FRANCE)
    assert identification.outcome == Outcome.NEW
    assert sirene.requests == []


def test_an_address_with_an_account_is_told_by_email_once(
    sirene, mailoutbox, django_capture_on_commit_callbacks
):
    sirene.le_chat_qui_peche()
    UserFactory(email="deja.inscrit@example.fr", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        first = identify(LE_CHAT_QUI_PECHE, email="deja.inscrit@example.fr")
        again = identify(LE_CHAT_QUI_PECHE, email="deja.inscrit@example.fr")
    assert first.outcome == again.outcome == Outcome.NEW  # the same answer as for anyone else
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["deja.inscrit@example.fr"]
    assert "An account already exists" in mailoutbox[0].body
    assert "http://testserver/en/login/" in mailoutbox[0].body


def test_an_account_never_activated_gets_a_new_activation_email(
    sirene, mailoutbox, django_capture_on_commit_callbacks
):
    sirene.le_chat_qui_peche()
    UserFactory(email="abandon@example.fr", not_activated=True)
    with django_capture_on_commit_callbacks(execute=True):
        identify(LE_CHAT_QUI_PECHE, email="abandon@example.fr")
    assert [message.to for message in mailoutbox] == [["abandon@example.fr"], ["abandon@example.fr"]]


# --- Step 2 -------------------------------------------------------------------------------------


def test_signup_creates_the_structure_with_its_primary_manager(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = user_signup(
            person=person(phone="01 02 03 04 05"), structure_data=chat_qui_peche(feature_dume=True)
        )
    user = User.objects.get()
    assert result.user == user and result.structure_created and not result.attachment_requested
    assert not user.is_activated and not user.has_usable_password()
    assert (user.last_name, user.first_name, user.phone, user.contact_email) == (
        "DUPOND",
        "Jean",
        "01 02 03 04 05",
        "",
    )
    structure = Structure.objects.get()
    assert (structure.identifier, structure.corporate_name, structure.created_by) == (
        LE_CHAT_QUI_PECHE,
        "LE CHAT QUI PECHE",
        user,
    )
    assert structure.feature_payment_requests and structure.feature_dume
    membership = Membership.objects.get()
    assert (membership.user, membership.role, membership.is_active) == (user, Role.PRIMARY_MANAGER, True)
    assert workspace_active_codes(user=user) == {"sent-requests", "issued-invoices"}
    # Seed 002: a summary of what was created, then the activation email, both to the login address.
    assert [message.to for message in mailoutbox] == [["jean.dupond@example.fr"], ["jean.dupond@example.fr"]]
    assert "LE CHAT QUI PECHE" in mailoutbox[0].body
    assert "/activation/" in mailoutbox[1].body


def test_signup_to_an_existing_structure_is_a_pending_request_for_some_services():
    structure = StructureFactory(identifier=LE_CHAT_QUI_PECHE)
    MembershipFactory(structure=structure, primary=True)
    kitchen, _hall = ServiceFactory(structure=structure), ServiceFactory(structure=structure)
    result = user_signup(person=person(), structure=structure, scope=Scope.SERVICES, services=[kitchen])
    request = AttachmentRequest.objects.get(user=result.user)
    assert (request.structure, request.scope, request.status) == (structure, Scope.SERVICES, "PENDING")
    assert list(request.services.all()) == [kitchen]
    assert not Membership.objects.filter(user=result.user).exists()


def test_a_structure_created_meanwhile_turns_the_creation_into_a_request():
    first = user_signup(person=person("premier@example.fr"), structure_data=chat_qui_peche())
    second = user_signup(person=person("second@example.fr"), structure_data=chat_qui_peche())
    assert first.structure_created and not second.structure_created and second.attachment_requested
    assert Structure.objects.count() == 1
    assert Membership.objects.get().user == first.user
    assert AttachmentRequest.objects.get().user == second.user


def test_the_same_submission_twice_creates_nothing_twice():
    user_signup(person=person(), structure_data=chat_qui_peche(), submission_key="k1")
    with pytest.raises(SignupAlreadySubmitted):
        user_signup(person=person(), structure_data=chat_qui_peche(), submission_key="k1")
    assert (User.objects.count(), Structure.objects.count(), Membership.objects.count()) == (1, 1, 1)


def test_an_address_with_an_account_creates_nothing(mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="jean.dupond@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        result = user_signup(person=person("JEAN.DUPOND@example.fr".lower()), structure_data=chat_qui_peche())
    assert result.user is None
    assert (User.objects.count(), Structure.objects.count()) == (1, 0)
    assert mailoutbox == []
