import html

import pytest

from accounts.models import User
from structures.models import Event

VALID = {
    "email": "Fournisseur-CPP.aife@Example.fr",
    "email_confirmation": "fournisseur-cpp.aife@example.fr",
    "contact_email": "",
    "last_name": "DUPOND",
    "first_name": "Stephanie",
    "address": "10, rue du Centre",
    "postal_code": "93160",
    "city": "NOISY-LE-GRAND",
    "country": "FR",
    "phone": "+33 1 00 00 00 00",
    "fax": "",
    "captcha_0": "x",
    "captcha_1": "PASSED",
}


@pytest.fixture(autouse=True)
def _captcha_test_mode(monkeypatch):
    # django-simple-captcha reads its test mode once, at import: follow the suite's setting whatever the env.
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


@pytest.mark.parametrize(("lang", "title"), [("fr", "Saisie nouvel utilisateur"), ("en", "New user entry")])
def test_form_shows_the_seed_fields(client, lang, title):
    page = html.unescape(client.get(f"/{lang}/compte/creer/").content.decode())
    assert title in page
    assert 'name="email_confirmation"' in page and 'name="fax"' in page and 'name="captcha_1"' in page


def test_account_first_signup(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/compte/creer/", VALID)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "fournisseur-cpp.aife@example.fr"
    assert not user.is_activated and not user.has_usable_password()
    assert (user.address, user.postal_code, user.city) == ("10, rue du Centre", "93160", "NOISY-LE-GRAND")
    assert [m.to for m in mailoutbox] == [["fournisseur-cpp.aife@example.fr"]]
    assert Event.objects.filter(user=user, kind=Event.Kind.ACCOUNT_CREATED).exists()
    done = html.unescape(client.get(response.headers["Location"]).content.decode())
    assert "Un mail d'activation est envoyé à fournisseur-cpp.aife@example.fr" in done
    # submitting again creates nothing twice
    again = client.post("/fr/compte/creer/", VALID)
    assert again.status_code == 400
    assert "Un compte existe déjà avec cette adresse" in html.unescape(again.content.decode())
    assert User.objects.count() == 1


def test_errors_keep_the_input(client):
    data = {**VALID, "email_confirmation": "autre@example.fr", "captcha_1": "WRONG", "postal_code": ""}
    response = client.post("/en/compte/creer/", data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "The two login email addresses differ." in page
    assert 'value="NOISY-LE-GRAND"' in page
    assert User.objects.count() == 0


def test_logged_in_users_go_home(client, supplier):
    from tests.connected.conftest import login

    login(client, supplier)
    assert client.get("/fr/compte/creer/").status_code == 302
