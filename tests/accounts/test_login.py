import pytest
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, UserFactory


def login(client, email, password, language="fr"):
    return client.post(f"/{language}/login/", {"username": email, "password": password})


def test_login_is_case_insensitive_and_lands_on_the_home_page(client):
    user = UserFactory(email="stephanie.dupond@example.fr")
    response = login(client, "  Stephanie.DUPOND@example.FR ", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/fr/"
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Adresse électronique de connexion ou mot de passe incorrect."),
        ("en", "Incorrect login email address or password."),
    ],
)
def test_a_wrong_password_or_an_unknown_email_get_the_same_message(client, language, message):
    UserFactory(email="stephanie.dupond@example.fr")
    wrong_password = login(client, "stephanie.dupond@example.fr", "Not-the-password-1", language)
    unknown_email = login(client, "nobody@example.fr", "Not-the-password-1", language)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert message in response.text
        assert "_auth_user_id" not in client.session
    # What the user typed is kept (not the password).
    assert 'value="stephanie.dupond@example.fr"' in wrong_password.text
    assert "Not-the-password-1" not in wrong_password.text


def test_a_deactivated_account_cannot_log_in(client):
    UserFactory(email="ancien@example.fr", is_active=False)
    response = login(client, "ancien@example.fr", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_account_not_yet_activated_is_told_to_open_its_activation_link(client):
    user = UserFactory(email="nouveau@example.fr", email_verified_at=None)
    response = login(client, "nouveau@example.fr", DEFAULT_PASSWORD, "en")
    assert "This account is not activated yet" in response.text
    assert "_auth_user_id" not in client.session
    user.email_verified_at = timezone.now()
    user.save()
    assert login(client, "nouveau@example.fr", DEFAULT_PASSWORD).status_code == 302


def test_repeated_failures_lock_the_login_and_say_when_to_retry(client, settings):
    UserFactory(email="cible@example.fr")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "cible@example.fr", "Wrong-password-123")
    locked = login(client, "cible@example.fr", DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert "réessayez dans 15 minutes" in locked.text
    assert "_auth_user_id" not in client.session
    english = login(client, "cible@example.fr", DEFAULT_PASSWORD, "en")
    assert "try again in 15 minutes" in english.text


def test_logout_needs_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/fr/logout/").status_code == 405
    assert client.post("/fr/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_queries_are_bounded(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get("/fr/login/").status_code == 200


def test_login_page_sends_back_to_the_page_asked_for(client):
    UserFactory(email="retour@example.fr")
    response = client.post(
        "/en/login/", {"username": "retour@example.fr", "password": DEFAULT_PASSWORD, "next": "/en/admin/"}
    )
    assert response.headers["Location"] == "/en/admin/"
    outside = client.post(
        "/en/login/",
        {"username": "retour@example.fr", "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    assert outside.headers["Location"] == "/en/"
