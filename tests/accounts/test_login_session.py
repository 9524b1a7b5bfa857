import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, UserFactory


def login(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_login_by_email_in_any_case(client):
    UserFactory(email="stephanie.dupond@aife.fr")
    response = login(client, "Stephanie.DUPOND@aife.fr", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].is_authenticated


def test_without_remember_me_the_session_ends_with_the_browser(client):
    user = UserFactory()
    login(client, user.email, DEFAULT_PASSWORD)
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]


def test_remember_me_keeps_the_session(client, settings):
    user = UserFactory()
    login(client, user.email, DEFAULT_PASSWORD, remember_me="on")
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert int(client.cookies["sessionid"]["max-age"]) == settings.SESSION_COOKIE_AGE


def test_the_login_box_offers_remember_me_and_forgot_password(client):
    text = client.get("/fr/").text
    assert "Se souvenir de moi" in text
    assert "Mot de passe oublié ?" in text
    assert reverse("password_reset") in text


def test_a_wrong_password_says_neither_which(client):
    user = UserFactory()
    response = login(client, user.email, "Pas-le-bon-1234")
    assert response.status_code == 200
    assert "Mot de passe oublié ?" in response.text


def test_a_not_activated_account_cannot_log_in(client):
    user = UserFactory(not_activated=True)
    user.set_password(DEFAULT_PASSWORD)
    user.save()
    response = login(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_lockout_after_repeated_failures_says_when_to_retry(client, settings):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert login(client, user.email, "Pas-le-bon-1234").status_code == 200
        locked = login(client, user.email, "Pas-le-bon-1234")
        assert locked.status_code == 429
        assert "réessayez dans 15 minutes" in locked.text
        retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME).strftime("%H:%M")
        assert f"Vous pourrez vous reconnecter à partir de {retry_at}." in locked.text
        # Even the right password is refused while locked.
        assert login(client, user.email, DEFAULT_PASSWORD).status_code == 429
        # English page.
        english = client.post("/en/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
        assert english.status_code == 429
        assert "try again in 15 minutes" in english.text
        # Another account from the same client is not locked.
        other = UserFactory()
        assert login(client, other.email, DEFAULT_PASSWORD).status_code == 302
        client.logout()
        # After the cool-off, the right password works again.
        traveller.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 1)
        assert login(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_the_login_page_leads_to_a_new_activation_link(client):
    text = client.get(reverse("login")).text
    assert "Lien d'activation expiré ou perdu ?" in text.replace("&#x27;", "'")
    assert reverse("activation_link_request") in text
