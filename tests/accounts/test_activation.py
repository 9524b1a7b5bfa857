import html

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import SecretQuestion, User
from accounts.services import user_activation_send
from accounts.tokens import activation_tokens
from tests.accounts.conftest import NEW_PASSWORD, activation_path
from tests.factories import UserFactory


def activation_data(**overrides):
    return {
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "secret_question": SecretQuestion.FIRST_PET,
        "secret_answer": "Éléonore",
        **overrides,
    }


def send_activation(user, capture):
    with capture(execute=True):
        user_activation_send(user=user)


def test_the_link_opens_the_activation_page_in_french(
    client, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    send_activation(pending_user, django_capture_on_commit_callbacks)
    path = activation_path(mailoutbox[0])
    assert path.startswith("/fr/")
    page = client.get(path)
    assert page.status_code == 200
    text = page.text
    for wording in [
        "Activation du compte utilisateur",
        "Informations générales",
        "Gestion du mot de passe",
        "Pour être accepté, votre mot de passe doit comporter au minimum 12 caractères et comporter au moins "
        "3 types de caractères parmi les 4 groupes suivants",
        "Mot de passe",
        "Confirmation",
        "Complexité du mot de passe",
        "Question secrète",
        "Réponse",
        "Quel était le nom de votre premier animal de compagnie ?",
        "stephanie.dupond@aife.fr",
        "compta@aife.fr",
        "DUPOND",
        "Stéphanie",
    ]:
        assert wording in text, wording
    assert '<html lang="fr"' in text


def test_the_activation_page_in_english(client, pending_user):
    token = activation_tokens.make(pending_user)
    with translation.override("en"):
        text = client.get(reverse("activate", kwargs={"token": token})).text
    for wording in [
        "User account activation",
        "General information",
        "Password management",
        "To be accepted, your password must include at least 12 characters",
        "Password complexity",
        "Secret question",
        "What was the name of your first pet?",
        "Answer",
    ]:
        assert wording in text, wording
    assert '<html lang="en"' in text


def test_get_never_writes(client, pending_user, django_assert_max_num_queries):
    token = activation_tokens.make(pending_user)
    url = reverse("activate", kwargs={"token": token})
    password_before = pending_user.password
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
        client.get(url)
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert set(statements) <= {"SELECT"}, statements
    with django_assert_max_num_queries(2):
        client.get(url)
    pending_user.refresh_from_db()
    assert not pending_user.is_activated
    assert pending_user.password == password_before


def test_post_activates_and_says_so(client, pending_user):
    token = activation_tokens.make(pending_user)
    response = client.post(reverse("activate", kwargs={"token": token}), activation_data(), follow=True)
    assert (
        "Votre compte est désormais actif et vous pouvez dès à présent transmettre vos factures à votre client public."
        in response.text
    )
    assert 'name="username"' in response.text  # the way to log in
    user = User.objects.get(pk=pending_user.pk)
    assert user.is_activated
    assert user.check_password(NEW_PASSWORD)
    assert user.secret_question == "first_pet"
    assert "Éléonore" not in user.secret_answer
    assert user.check_secret_answer("  eleonore ")
    assert user.check_secret_answer("ÉLÉONORE")
    assert not user.check_secret_answer("Eleonor")
    # And the account can log in.
    assert (
        client.post(
            reverse("login"), {"username": "Stephanie.Dupond@AIFE.fr", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )


def test_after_activation_in_english(client, pending_user):
    token = activation_tokens.make(pending_user)
    with translation.override("en"):
        url = reverse("activate", kwargs={"token": token})
    response = client.post(url, activation_data(), follow=True)
    assert (
        "Your account has been activated, you can now issue invoices to your public client." in response.text
    )


def test_the_link_works_once(client, pending_user):
    url = reverse("activate", kwargs={"token": activation_tokens.make(pending_user)})
    assert client.post(url, activation_data()).status_code == 302
    # Double submit or a second use: nothing changes, a clear page says so.
    again = client.post(
        url, activation_data(password1="Autre-Mot2Passe-Solide", password2="Autre-Mot2Passe-Solide")
    )
    assert again.status_code == 410
    assert "Ce lien a déjà été utilisé." in again.text
    assert "Votre compte est déjà actif" in again.text
    user = User.objects.get(pk=pending_user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert client.get(url).status_code == 410


def test_an_expired_link_offers_a_new_one(
    client, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        url = reverse("activate", kwargs={"token": activation_tokens.make(pending_user)})
        traveller.shift(72 * 3600 - 60)
        assert client.get(url).status_code == 200
        traveller.shift(120)
        page = client.get(url)
        assert page.status_code == 410
        assert "Ce lien a expiré." in page.text
        assert "Recevoir un nouveau lien" in page.text
        assert 'value="stephanie.dupond@aife.fr"' in page.text
        # Nothing is activated by an expired link.
        assert client.post(url, activation_data()).status_code == 410
        assert not User.objects.get(pk=pending_user.pk).is_activated
        # The new link works.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("activation_link_request"), {"email": "stephanie.dupond@aife.fr"})
        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert client.post(activation_path(mailoutbox[0]), activation_data()).status_code == 302
    assert User.objects.get(pk=pending_user.pk).is_activated


def test_expired_page_in_the_users_language(client):
    user = UserFactory(not_activated=True, language="en")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = activation_tokens.make(user)
        traveller.shift(73 * 3600)
        page = client.get(f"/fr/activation/{token}/")
    assert "This link has expired." in page.text
    assert '<html lang="en"' in page.text


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(client, pending_user, tamper):
    url = reverse("activate", kwargs={"token": tamper(activation_tokens.make(pending_user))})
    page = client.get(url)
    assert page.status_code == 400
    assert "Ce lien n'est pas valide." in html.unescape(page.text)
    assert client.post(url, activation_data()).status_code == 400
    assert not User.objects.get(pk=pending_user.pk).is_activated


def test_a_token_of_another_purpose_is_refused(client, pending_user):
    from accounts.tokens import password_reset_tokens

    url = reverse("activate", kwargs={"token": password_reset_tokens.make(pending_user)})
    assert client.get(url).status_code == 400


def test_bad_input_is_explained_and_kept(client, pending_user):
    url = reverse("activate", kwargs={"token": activation_tokens.make(pending_user)})
    page = client.post(url, activation_data(password1="court", password2="autre", secret_answer="Médor"))
    assert page.status_code == 200
    assert "Ce mot de passe est trop court" in page.text
    assert "Les deux mots de passe ne sont pas identiques." in page.text
    assert 'value="Médor"' in page.text
    assert not User.objects.get(pk=pending_user.pk).is_activated


def test_a_new_link_is_answered_the_same_whether_or_not_the_account_exists(
    client, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("activation_link_request")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "stephanie.dupond@aife.fr"}, follow=True)
        unknown = client.post(url, {"email": "personne@aife.fr"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert [message.to for message in mailoutbox] == [["stephanie.dupond@aife.fr"]]


def test_new_links_are_rate_limited(client, pending_user, mailoutbox, django_capture_on_commit_callbacks):
    url = reverse("activation_link_request")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(url, {"email": "stephanie.dupond@aife.fr"}).status_code == 302
    assert len(mailoutbox) == 3
    for _ in range(5):
        client.post(url, {"email": "quelquun@example.fr"})
    # Per connection: 10 an hour, whatever the address.
    assert client.post(url, {"email": "encore@example.fr"}).status_code == 429


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Éléonore", "eleonore"),
        ("  ELEONORE  ", "Éléonore"),
        ("Noisy-le-Grand", "noisy le grand"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Ørsted", "ørsted"),
    ],
)
def test_secret_answers_ignore_case_accents_and_punctuation(typed, stored):
    user = User()
    user.set_secret_answer(stored)
    assert user.check_secret_answer(typed)
    assert not user.check_secret_answer(typed + "x")


def test_failure_pages_are_cheap(client, pending_user, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get(reverse("activate", kwargs={"token": "not-a-token"})).status_code == 400


def test_a_get_of_an_email_link_cannot_write(rf):
    from accounts.views import read_only_on_get

    @read_only_on_get
    def writing_view(request):
        UserFactory()

    with pytest.raises(RuntimeError, match="must not write"), transaction.atomic():
        writing_view(rf.get("/"))
    writing_view(rf.post("/"))
    assert User.objects.count() == 1
