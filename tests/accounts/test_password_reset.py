import html

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import SecretQuestion, User
from accounts.tokens import password_reset_tokens
from tests.accounts.conftest import NEW_PASSWORD, activation_path, reset_path
from tests.factories import DEFAULT_PASSWORD, UserFactory


def activated_user(**kwargs):
    user = UserFactory(email="stephanie.dupond@aife.fr", secret_question=SecretQuestion.BIRTH_CITY, **kwargs)
    user.set_secret_answer("Noisy-le-Grand")
    user.save()
    return user


def ask_reset(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("password_reset"), {"email": email}, follow=True)


def test_the_whole_recovery(client, mailoutbox, django_capture_on_commit_callbacks):
    user = activated_user()
    page = client.get(reverse("password_reset"))
    assert "Mot de passe oublié ?" in page.text
    answer = ask_reset(client, "Stephanie.Dupond@aife.fr", django_capture_on_commit_callbacks)
    assert "Consultez votre messagerie" in answer.text
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["stephanie.dupond@aife.fr"]
    assert mailoutbox[0].subject == "Chorus Pro – Réinitialisez votre mot de passe"
    assert "Ce lien est valable 1 heure" in mailoutbox[0].body
    url = reset_path(mailoutbox[0])

    form = client.get(url)
    assert "Dans quelle ville êtes-vous né(e) ?" in form.text
    assert "Complexité du mot de passe" in form.text

    wrong = client.post(url, {"secret_answer": "Paris", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert wrong.status_code == 200
    assert "Ce n'est pas la réponse à votre question secrète." in html.unescape(wrong.text)
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"secret_answer": "  NOISY le grand ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert done.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert mailoutbox[-1].subject == "Chorus Pro – Votre mot de passe a été modifié"
    # The link works once.
    assert client.get(url).status_code == 410


def test_the_new_password_follows_the_policy(client):
    user = activated_user()
    url = reverse("password_reset_confirm", kwargs={"token": password_reset_tokens.make(user)})
    page = client.post(
        url, {"secret_answer": "noisy-le-grand", "password1": "Azertyuiop12", "password2": "Azertyuiop12"}
    )
    assert page.status_code == 200
    assert "Ce mot de passe est trop facile à deviner." in page.text
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_every_other_session_is_logged_out(client):
    user = activated_user()
    elsewhere = Client()
    assert (
        elsewhere.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    assert elsewhere.get(reverse("home")).context["user"].is_authenticated

    user.refresh_from_db()  # the login changed last_login, which the link is bound to
    url = reverse("password_reset_confirm", kwargs={"token": password_reset_tokens.make(user)})
    response = client.post(
        url, {"secret_answer": "Noisy-le-Grand", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    assert not elsewhere.get(reverse("home")).context["user"].is_authenticated


def test_same_answer_whether_or_not_the_account_exists(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    activated_user()
    known = ask_reset(client, "stephanie.dupond@aife.fr", django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "inconnu@aife.fr", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert len(mailoutbox) == 1


def test_a_not_activated_account_receives_a_new_activation_link(
    client, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    ask_reset(client, pending_user.email, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Chorus Pro – Activez votre compte utilisateur"
    assert client.get(activation_path(mailoutbox[0])).status_code == 200


def test_the_reset_link_expires(client):
    user = activated_user()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        url = reverse("password_reset_confirm", kwargs={"token": password_reset_tokens.make(user)})
        traveller.shift(3601)
        page = client.get(url)
    assert page.status_code == 410
    assert "Ce lien a expiré." in page.text


def test_logging_in_after_the_request_kills_the_link(client):
    user = activated_user()
    url = reverse("password_reset_confirm", kwargs={"token": password_reset_tokens.make(user)})
    Client().post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    assert client.get(url).status_code == 410


def test_too_many_wrong_answers_lock_the_recovery(client):
    user = activated_user()
    url = reverse("password_reset_confirm", kwargs={"token": password_reset_tokens.make(user)})
    data = {"secret_answer": "Paris", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for _ in range(5):
        assert client.post(url, data).status_code == 200
    data["secret_answer"] = "Noisy-le-Grand"
    locked = client.post(url, data)
    assert locked.status_code == 429
    assert "Trop de réponses erronées" in locked.text
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_recovery_pages_in_english(client, mailoutbox, django_capture_on_commit_callbacks):
    user = activated_user(language="en")
    with translation.override("en"):
        start = reverse("password_reset")
    assert "Forgot your password?" in client.get(start).text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start, {"email": user.email})
    assert mailoutbox[0].subject == "Chorus Pro – Reset your password"
    url = reset_path(mailoutbox[0])
    assert url.startswith("/en/")
    page = client.get(url)
    assert "In which city were you born?" in page.text
    assert '<html lang="en"' in page.text


def test_requests_are_rate_limited_per_connection(client):
    url = reverse("password_reset")
    for number in range(10):
        assert client.post(url, {"email": f"personne{number}@aife.fr"}).status_code == 302
    assert client.post(url, {"email": "encore@aife.fr"}).status_code == 429


def test_the_reset_page_never_writes_on_get(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = activated_user()
    url = reverse("password_reset_confirm", kwargs={"token": password_reset_tokens.make(user)})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert {query["sql"].split()[0].upper() for query in queries.captured_queries} <= {"SELECT"}
    with django_assert_max_num_queries(2):
        client.get(url)
