"""The signup's captcha for real (test mode off): each display stores a new challenge (chorus_portal.captcha), the
answer shown in the image lets the signup through once, a wrong or reused answer is refused at the field."""

import datetime
import html
import re

import pytest
from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaTextInput
from captcha.models import CaptchaStore
from django.utils import timezone, translation

from chorus_portal.captcha import PortalCaptchaTextInput
from structures.models import Structure
from tests.accounts.conftest import LE_CHAT_QUI_PECHE
from tests.accounts.test_signup_views import EMAIL, new_structure

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_captcha(monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def _challenge(response):
    page = response.content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    assert f"/captcha/image/{key}/" in page
    return key


@pytest.mark.parametrize(("lang", "wrong"), [("fr", "CAPTCHA invalide"), ("en", "Invalid CAPTCHA")])
def test_each_display_stores_a_new_challenge_whose_answer_lets_the_signup_through_once(
    client, sirene, real_captcha, lang, wrong
):
    sirene.le_chat_qui_peche()
    client.post(f"/{lang}/signup/", {"email": EMAIL, "siret": LE_CHAT_QUI_PECHE})
    first = _challenge(client.get(f"/{lang}/signup/information/"))
    second = _challenge(client.get(f"/{lang}/signup/information/"))
    assert first != second and len(first) == 40
    store = CaptchaStore.objects.get(hashkey=second)
    assert store.response == store.response.lower() and store.challenge
    expected = timezone.now() + datetime.timedelta(minutes=int(captcha_settings.CAPTCHA_TIMEOUT))
    assert abs(store.expiration - expected) < datetime.timedelta(minutes=1)
    # A wrong answer: an error at the field, what was typed kept, a new challenge, nothing created.
    response = client.post(
        f"/{lang}/signup/information/",
        new_structure(captcha_0=second, captcha_1="wrong", last_name="DUPONT-ÉLOI"),
    )
    assert response.status_code == 200 and wrong in html.unescape(response.text)
    assert 'value="DUPONT-ÉLOI"' in html.unescape(response.text) and Structure.objects.count() == 0
    # The answer of the image: through to step 3.
    answer = CaptchaStore.objects.get(hashkey=first).response
    response = client.post(
        f"/{lang}/signup/information/", new_structure(captcha_0=first, captcha_1=answer.upper())
    )
    assert response.status_code == 302 and response["Location"] == f"/{lang}/signup/working-areas/"
    assert Structure.objects.count() == 1
    assert not CaptchaStore.objects.filter(hashkey=first).exists()  # used: it cannot be replayed


def test_the_widget_is_the_librarys_with_each_displays_own_key(real_captcha, monkeypatch):
    """The widget's markup is kept per process with a stand-in for the key: each display shows its own stored key
    everywhere the library's widget shows one (audio link, image, hidden field), as the library writes it in the
    page's language."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", "/usr/bin/flite")  # the audio link, its title
    attrs = {"id": "id_captcha", "required": True, "aria-describedby": "captcha-hint"}
    for lang, title in (("fr", "Écouter la version audio"), ("en", "Play CAPTCHA as audio file")):
        with translation.override(lang):
            library = CaptchaTextInput().render("captcha", None, attrs)
            ours = [PortalCaptchaTextInput().render("captcha", None, attrs) for _ in range(3)]
            errors = PortalCaptchaTextInput().render("captcha", None, {**attrs, "aria-invalid": "true"})
        keys = [re.findall(r"[0-9a-f]{40}", markup) for markup in [library, *ours]]
        assert all(len(found) == 3 and len(set(found)) == 1 for found in keys)  # audio, image, hidden field
        assert len({found[0] for found in keys}) == 4  # each display its own key
        assert all(CaptchaStore.objects.filter(hashkey=found[0]).exists() for found in keys)
        for markup, (key, *_) in zip(ours, keys[1:], strict=True):
            assert markup == library.replace(keys[0][0], key)
        assert title in html.unescape(ours[0]) and 'aria-invalid="true"' in errors
