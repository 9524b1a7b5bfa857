import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from structures.models import Event
from tests.factories import UserFactory

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
    # submitting again (double click) creates nothing twice and sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/fr/compte/creer/", VALID)
    assert again.status_code == 302 and again.headers["Location"] == response.headers["Location"]
    assert User.objects.count() == 1
    assert len(mailoutbox) == 1


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


def _confirmation(client, data, lang="fr"):
    response = client.post(f"/{lang}/compte/creer/", data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    return response, page.content.decode().replace(data["email"].lower(), "ADDRESS")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_existing_address_gets_the_same_answer_and_its_owner_an_email(
    client, lang, mailoutbox, django_capture_on_commit_callbacks
):
    """No account enumeration: the page is the same for a new and for an existing address; nothing is created
    for the existing one and its owner is told how to log in or recover the password."""
    owner = UserFactory(email="deja.inscrit@example.fr", first_name="Ancien", language="en")
    new = {**VALID, "email": "nouveau@example.fr", "email_confirmation": "nouveau@example.fr"}
    existing = {**VALID, "email": "Deja.Inscrit@example.fr", "email_confirmation": "deja.inscrit@example.fr"}
    with django_capture_on_commit_callbacks(execute=True):
        new_response, new_page = _confirmation(client, new, lang)
    client.cookies.clear()
    with django_capture_on_commit_callbacks(execute=True):
        existing_response, existing_page = _confirmation(client, existing, lang)
    assert new_response.headers["Location"] == existing_response.headers["Location"]
    strip_tokens = re.compile(r'(nonce|value|content)="[^"]*"')
    assert strip_tokens.sub("", new_page) == strip_tokens.sub("", existing_page)
    assert User.objects.filter(email="deja.inscrit@example.fr").count() == 1
    owner.refresh_from_db()
    assert owner.first_name == "Ancien" and owner.address != "10, rue du Centre"
    assert [m.to for m in mailoutbox] == [["nouveau@example.fr"], ["deja.inscrit@example.fr"]]
    notice = mailoutbox[1].body
    assert "An account already exists" in notice  # in the owner's language
    assert "http://testserver/en/login/" in notice and "http://testserver/en/password/forgotten/" in notice
    assert not Event.objects.filter(user=owner).exists()


def test_the_owner_notice_is_rate_limited(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="deja.inscrit@example.fr")
    existing = {**VALID, "email": "deja.inscrit@example.fr", "email_confirmation": "deja.inscrit@example.fr"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post("/fr/compte/creer/", existing).status_code == 302
    assert len(mailoutbox) == 1
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post("/fr/compte/creer/", existing).status_code == 302
    assert len(mailoutbox) == 2


def test_a_never_activated_account_gets_a_new_activation_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="abandon@example.fr", not_activated=True)
    data = {**VALID, "email": "abandon@example.fr", "email_confirmation": "abandon@example.fr"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/fr/compte/creer/", data).status_code == 302
    assert User.objects.filter(email="abandon@example.fr").count() == 1
    assert [m.to for m in mailoutbox] == [["abandon@example.fr"], ["abandon@example.fr"]]
    assert "/activation/" in mailoutbox[1].body
