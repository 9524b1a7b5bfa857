"""Hostile input posted to every form of the portal, in French and in English (`tests.hostile`).

Kept fast: the first field named for a form gets a stratified, seeded sample of 20 corpus entries
(`corpus_sample`: every family of the corpus in it) and each other named field a sample of 4; the seed differs per
form, field and language, so that the suite as a whole reaches most of the corpus on every form (about 1,500 posts
in all). `PORTAL_HOSTILE_SAMPLE=60,12` changes the two sizes; `PORTAL_HOSTILE_FULL=1` posts the whole corpus (319
entries) to every field instead (a long run, before a release).
The login form gets the whole corpus in `test_hostile_input.py`.

Forms that would succeed (and so leave the page) with valid base data get a base that fails elsewhere (a wrong
captcha, two different passwords, a required field left empty): the form is then always shown again, and every
check of the harness applies to every entry.
"""

import os
import re
import zlib

import pytest

from accounts.tokens import activation_tokens, password_reset_tokens
from structures.models import AttachmentRequest
from structures.sirene.stock import sirene_demo_load
from tests.connected.conftest import login
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ServiceFactory, StructureFactory, UserFactory
from tests.hostile import CORPUS, assert_form_survives, corpus_sample

LANGS = pytest.mark.parametrize("lang", ["fr", "en"])
EMAIL = "jean.dupond@example.fr"
LE_CHAT_QUI_PECHE = "83128597800019"
NEW_PASSWORD = "Ornithorynque-Bleu-47"
FULL = os.environ.get("PORTAL_HOSTILE_FULL") == "1"
FIRST_FIELD_SAMPLE, OTHER_FIELD_SAMPLE = map(int, os.environ.get("PORTAL_HOSTILE_SAMPLE", "20,4").split(","))
WRONG_CAPTCHA = {"captcha_0": "hash", "captcha_1": "FAILED"}


def corpora(url, first, *others):
    """A larger sample on `first`, a smaller one on the others; seeded by the URL (form and language) and field."""
    if FULL:
        return dict.fromkeys((first, *others), CORPUS)
    form = re.sub(r"/\d+/|/[\w.:-]{40,}/", "/", url)  # the same seed whatever the ids and tokens of the run
    seeds = {field: zlib.crc32(f"{form}#{field}".encode()) for field in (first, *others)}
    return {
        first: corpus_sample(FIRST_FIELD_SAMPLE, seed=seeds[first]),
        **{field: corpus_sample(OTHER_FIELD_SAMPLE, seed=seeds[field]) for field in others},
    }


def survives(client, url, base, first, *others, **kwargs):
    assert_form_survives(client, url, base, [first, *others], corpus=corpora(url, first, *others), **kwargs)


@pytest.fixture(autouse=True)
def _demo_directory(db):
    sirene_demo_load()


# --- Signup -------------------------------------------------------------------------------------------------


@LANGS
def test_signup_step1_with_siret(client, lang):
    survives(client, f"/{lang}/signup/", {"email": EMAIL, "siret": LE_CHAT_QUI_PECHE}, "siret", "email")


@LANGS
def test_signup_step1_without_siret(client, lang):
    base = {"without_siret": "1", "email": EMAIL, "identifier_type": "UE_HORS_FRANCE", "identifier": "BE0"}
    survives(
        client,
        f"/{lang}/signup/?without_siret=1",
        base,
        "identifier",
        "email",
        "identifier_type",
        method="post",
    )


PERSONAL = {
    "email_confirmation": EMAIL,
    "last_name": "DUPOND",
    "first_name": "Jean",
    "phone": "01 23 45 67 89",
    "contact_email": EMAIL,
    **WRONG_CAPTCHA,
}
NEW_STRUCTURE = {
    **PERSONAL,
    "corporate_name": "LE CHAT QUI PECHE",
    "label": "Siège",
    "address": "19 B RUE DE COTTE",
    "address_complement_1": "Bâtiment A",
    "address_complement_2": "",
    "postal_code": "75012",
    "city": "PARIS 12",
    "country": "FR",
    "features": ["payment_requests"],
}


def signup_step1(client, lang, siret=LE_CHAT_QUI_PECHE):
    response = client.post(f"/{lang}/signup/", {"email": EMAIL, "siret": siret})
    assert response.headers["Location"] == f"/{lang}/signup/information/"


@LANGS
def test_signup_step2_new_structure(client, lang):
    """Whole corpus on the name; the sample on the 11 other text fields and the country."""
    signup_step1(client, lang)
    survives(
        client,
        f"/{lang}/signup/information/",
        NEW_STRUCTURE,
        "last_name",
        "email_confirmation",
        "first_name",
        "phone",
        "contact_email",
        "corporate_name",
        "label",
        "address",
        "address_complement_1",
        "postal_code",
        "city",
        "country",
    )


@LANGS
def test_signup_step2_existing_structure(client, lang):
    structure = StructureFactory(identifier="51010091000015", corporate_name="M A SOCIETE")
    MembershipFactory(structure=structure, primary=True)
    service = ServiceFactory(structure=structure)
    signup_step1(client, lang, siret=structure.identifier)
    base = {**PERSONAL, "scope": "SERVICES", "services": [str(service.pk)]}
    survives(
        client, f"/{lang}/signup/information/", base, "first_name", "last_name", "phone", "scope", "services"
    )


@LANGS
def test_signup_step3(client, lang):
    signup_step1(client, lang)
    data = {**NEW_STRUCTURE, "captcha_1": "PASSED"}
    assert client.post(f"/{lang}/signup/information/", data).status_code == 302
    # A valid choice leaves the page: only the corpus entries (none of them a workspace code) reach the form.
    survives(client, f"/{lang}/signup/working-areas/", {"workspaces": ["factures-emises"]}, "workspaces")


# --- Activation and recovery --------------------------------------------------------------------------------


@pytest.fixture
def pending_user():
    return UserFactory(not_activated=True, email="stephanie.dupond@aife.fr")


@LANGS
def test_activation_page(client, lang, pending_user):
    token = activation_tokens.make(pending_user)
    # Two different passwords: the form is always shown again (a success would spend the link).
    base = {
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD + "-autre",
        "secret_question": "birth_city",
        "secret_answer": "Brest",
    }
    survives(client, f"/{lang}/activation/{token}/", base, "secret_answer", "secret_question", "password1")


@LANGS
@pytest.mark.parametrize("path", ["activation/new-link/", "password/forgotten/"])
def test_email_link_forms(client, lang, path):
    UserFactory(email="stephanie.dupond@aife.fr")
    survives(client, f"/{lang}/{path}", {"email": "stephanie.dupond@aife.fr"}, "email", expect_error=False)


@LANGS
def test_password_reset_confirm(client, lang):
    user = UserFactory(email="stephanie.dupond@aife.fr")
    user.secret_question = "birth_city"
    user.save()
    token = password_reset_tokens.make(user)
    base = {"secret_answer": "Brest", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "-autre"}
    survives(client, f"/{lang}/password/reset/{token}/", base, "secret_answer", "password1", "password2")


@LANGS
def test_account_create(client, lang):
    base = {
        "email": EMAIL,
        "email_confirmation": EMAIL,
        "contact_email": "",
        "last_name": "DUPOND",
        "first_name": "Jean",
        "address": "19 B RUE DE COTTE",
        "address_complement_1": "",
        "address_complement_2": "",
        "postal_code": "75012",
        "city": "PARIS 12",
        "country": "FR",
        "phone": "",
        "fax": "",
        **WRONG_CAPTCHA,
    }
    survives(
        client,
        f"/{lang}/compte/creer/",
        base,
        "email",
        "email_confirmation",
        "contact_email",
        "last_name",
        "first_name",
        "address",
        "postal_code",
        "city",
        "country",
        "phone",
        "fax",
    )


# --- Mon Compte -----------------------------------------------------------------------------------------------


@pytest.fixture
def supplier(client, db):
    user = UserFactory(email="stephanie.dupond@example.fr", first_name="Stéphanie", last_name="DUPOND")
    login(client, user)
    return user


@LANGS
def test_account_profile(client, lang, supplier):
    base = {"contact_email": "", "last_name": "DUPOND", "first_name": "Stéphanie", "phone": ""}
    survives(
        client,
        f"/{lang}/mon-compte/informations/",
        base,
        "last_name",
        "first_name",
        "contact_email",
        "phone",
        page_url=f"/{lang}/mon-compte/",
        expect_error=False,
        follow=True,
    )


@LANGS
def test_account_password(client, lang, supplier):
    base = {
        "current_password": DEFAULT_PASSWORD,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD + "-autre",
    }
    survives(
        client,
        f"/{lang}/mon-compte/mot-de-passe/",
        base,
        "password1",
        "current_password",
        "password2",
        page_url=f"/{lang}/mon-compte/",
    )


@LANGS
def test_account_secret_question(client, lang, supplier):
    base = {
        "current_password": DEFAULT_PASSWORD + "-faux",
        "secret_question": "birth_city",
        "secret_answer": "Brest",
    }
    survives(
        client,
        f"/{lang}/mon-compte/question-secrete/",
        base,
        "secret_answer",
        "secret_question",
        "current_password",
        page_url=f"/{lang}/mon-compte/",
    )


@LANGS
def test_account_workspaces(client, lang, supplier, workspace_catalogue):
    survives(client, f"/{lang}/mon-compte/espaces/", {}, "workspaces", page_url=f"/{lang}/mon-compte/")


# --- Attachments, structures ----------------------------------------------------------------------------------


@LANGS
def test_attachment_search(client, lang, supplier):
    StructureFactory(corporate_name="LE CHAT QUI PECHE", postal_code="75012", city="PARIS 12")
    base = {
        "corporate_name": "CHAT",
        **dict.fromkeys(
            ["kind", "identifier", "identifier_type", "label", "status", "last_name", "first_name"], ""
        ),
        **dict.fromkeys(["postal_code", "city", "country"], ""),
    }
    survives(
        client,
        f"/{lang}/mon-compte/rattachements/recherche/",
        base,
        "corporate_name",
        "identifier",
        "identifier_type",
        "label",
        "last_name",
        "first_name",
        "postal_code",
        "city",
        "kind",
        "status",
        "country",
        method="get",
        expect_error=False,
    )


@LANGS
def test_attachment_request(client, lang, supplier):
    structure = StructureFactory()
    MembershipFactory(structure=structure, primary=True)
    service = ServiceFactory(structure=structure)
    # "Only some services" without a service: always refused, so that no request is created.
    survives(
        client,
        f"/{lang}/mon-compte/rattachements/demande/{structure.pk}/",
        {"scope": "SERVICES", "services": ""},
        "scope",
        "services",
    )
    assert not AttachmentRequest.objects.exists()
    assert service.pk


@LANGS
def test_structure_create(client, lang, supplier):
    base = {
        "identifier_type": "UE_HORS_FRANCE",
        "identifier": "BE0",
        "corporate_name": "SOCIETE BELGE",
        "status": "ACTIVE",
        "label": "",
        "email": "",
        "rcs_number": "",
        "is_private": "on",
        "address": "1 RUE DE LA LOI",
        "address_complement_1": "",
        "address_complement_2": "",
        "postal_code": "1000",
        "city": "BRUXELLES",
        "country": "FR",
        "phone": "",
        "fax": "",
    }
    survives(
        client,
        f"/{lang}/mon-compte/structures/nouvelle/",
        base,
        "identifier",
        "identifier_type",
        "corporate_name",
        "status",
        "label",
        "email",
        "rcs_number",
        "address",
        "postal_code",
        "city",
        "phone",
        "fax",
    )


@LANGS
def test_public_structure_search(client, lang):
    StructureFactory(corporate_name="LE CHAT QUI PECHE", is_private=False)
    assert_form_survives(
        client, f"/{lang}/structures/recherche/", {"q": "CHAT"}, ["q"], method="get", expect_error=False
    )


# --- Manager --------------------------------------------------------------------------------------------------


@pytest.fixture
def manager(client, db):
    structure = StructureFactory(corporate_name="M A SOCIETE")
    user = UserFactory(email="jean.martin@example.fr")
    MembershipFactory(user=user, structure=structure, primary=True)
    login(client, user)
    return user, structure


@LANGS
def test_manager_refuse_reason(client, lang, manager):
    _user, structure = manager
    request = AttachmentRequest.objects.create(user=UserFactory(), structure=structure)
    # No decision chosen: refused, the request stays pending for the next entry.
    survives(
        client,
        f"/{lang}/gestionnaire/decisions/",
        {"requests": [str(request.pk)], "decision": "", "reason": "Inconnu"},
        "reason",
        page_url=f"/{lang}/gestionnaire/",
    )


@LANGS
def test_manager_service_create(client, lang, manager):
    _user, structure = manager
    url = f"/{lang}/gestionnaire/structures/{structure.pk}/"
    # The other field too long: the form is always shown again, and no service is created (the page would then
    # show that service's form first).
    survives(client, url, {"code": "", "name": "C" * 256}, "code")
    survives(client, url, {"code": "C" * 101, "name": ""}, "name")


@LANGS
def test_manager_service_update(client, lang, manager):
    _user, structure = manager
    service = ServiceFactory(structure=structure, code="COMPTA")
    url = f"/{lang}/gestionnaire/structures/{structure.pk}/services/{service.pk}/"
    # The view answers with a redirect and a message: the page it leads to is checked.
    survives(
        client,
        url,
        {"name": "Comptabilité", "is_active": "on"},
        "name",
        "is_active",
        page_url=f"/{lang}/gestionnaire/structures/{structure.pk}/",
        expect_error=False,
        follow=True,
    )


@LANGS
def test_manager_structure_update(client, lang, manager):
    _user, structure = manager
    base = {
        "label": "Siège",
        "email": "",
        "rcs_number": "",
        "status": "ACTIVE",
        "address": "19 BD MALESHERBES",
        "address_complement_1": "",
        "address_complement_2": "",
        "postal_code": "75008",
        "city": "",  # required: the form is always shown again
        "phone": "",
        "fax": "",
    }
    survives(
        client,
        f"/{lang}/gestionnaire/structures/{structure.pk}/modifier/",
        base,
        "label",
        "email",
        "rcs_number",
        "status",
        "address",
        "address_complement_1",
        "postal_code",
        "phone",
        "fax",
    )


# --- Found by this suite --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Ornithorynque-Bleu-47" + "x" * 60,  # longer than zxcvbn's 72 characters: ValueError
        "83128597800019\n",  # digits then a line break: zxcvbn's date matcher raised ValueError
        "Ornithorynque\r\n1234567\n",
    ],
)
def test_password_scoring_never_fails(client, pending_user, password):
    answer = client.post("/fr/password/strength/", {"password": password})
    assert answer.status_code == 200 and "score" in answer.json()
    url = f"/fr/activation/{activation_tokens.make(pending_user)}/"
    response = client.post(
        url, {"password1": password, "password2": password, "secret_question": "birth_city"}
    )
    assert response.status_code == 200  # shown again: the secret answer is missing


def test_a_service_id_too_large_for_the_database_is_an_invalid_choice(client):
    structure = StructureFactory(identifier="51010091000015")
    MembershipFactory(structure=structure, primary=True)
    ServiceFactory(structure=structure)
    signup_step1(client, "fr", siret=structure.identifier)
    data = {**PERSONAL, "scope": "SERVICES", "services": "9" * 400}
    response = client.post("/fr/signup/information/", data)
    assert response.status_code == 200
    assert "services" in response.context["form"].errors
