"""The pages of issue 8's page target and the data they need, shared by bench/pages.py (through gunicorn) and
bench/render_profile.py (in-process).

Some pages need a session or a token: signup step 2 (a signup identified at step 1), step 3 (a signup whose step 2
was submitted), the activation page (the emailed link of an account waiting for activation), "Mon Compte" and the
connected home (a logged-in user). `prepare()` makes them through the portal itself (the forms posted with Django's
test client, the captcha answered from its challenge row) in the database of the settings in use, and returns the
session keys and the activation path.

    .venv/bin/python manage.py shell -c "from bench.page_fixtures import print_prepared; print_prepared()"
"""

import json
import re
import uuid

BARE = "bare"
# label -> path (None: completed by prepare()).
PAGES = {
    BARE: "/bench/bare",
    "home": "/fr/",
    "home-en": "/en/",
    "login": "/fr/login/",
    "signup-1": "/fr/signup/",
    "signup-2": "/fr/signup/information/",
    "signup-3": "/fr/signup/working-areas/",
    "activation": None,
    "search": "/fr/structures/recherche/?q=metropole",
    "account": "/fr/mon-compte/",
    "home-connected": "/fr/",
}
# label -> the session (a key of prepare()'s "sessions") its requests carry.
SESSIONS = {
    "signup-2": "signup-2",
    "signup-3": "signup-3",
    "account": "user",
    "home-connected": "user",
}
USER_EMAIL = "bench@example.fr"
USER_PASSWORD = "Bench-Password-2026!"  # noqa: S105 (a benchmark account on a throw-away database)
# Two companies of the SIRENE demo extract (load_demo_data): one signup stays at step 2, one goes on to step 3.
SIGNUP_STEP_2 = ("signup.bench@example.fr", "83128597800019")
SIGNUP_STEP_3 = ("signup3.bench.{}@example.fr", "51010091000015")  # a new address per run


def _client():
    from django.test import Client

    # As the TLS proxy sends them; the test client does not check CSRF tokens.
    return Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1")


def _signup_identified(email, siret):
    client = _client()
    response = client.post("/fr/signup/", {"email": email, "siret": siret})
    assert response.status_code == 302 and response["Location"] == "/fr/signup/information/", (
        response.status_code,
        response.get("Location"),
    )
    return client


def _signup_submitted(email, siret):
    """Step 2 posted as a person would: the SIRENE pre-fill kept, the captcha answered."""
    from captcha.models import CaptchaStore

    from accounts.signup_state import SignupState

    client = _signup_identified(email, siret)
    page = client.get("/fr/signup/information/").content.decode()
    hashkey = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    state = SignupState.load(client.session)
    data = {
        "email_confirmation": email,
        "last_name": "BENCH",
        "first_name": "Claude",
        "contact_email": email,
        "captcha_0": hashkey,
        "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response,
        "country": "FR",
        "features": ["payment_requests"],
        "scope": "STRUCTURE",  # when a previous run created the structure: an attachment request
        **{key: value for key, value in state.prefill.items() if value not in (None, False)},
    }
    response = client.post("/fr/signup/information/", data)
    assert response.status_code == 302 and response["Location"] == "/fr/signup/working-areas/", (
        response.status_code,
        re.findall(r'class="fr-error-text"[^>]*>([^<]*)', response.content.decode()),
    )
    return client


def prepare():
    """{"sessions": {name: session key}, "paths": {label: path}} for the pages that need them."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.tokens import activation_tokens
    from structures.models import Membership, Role, Structure

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        email=USER_EMAIL, defaults={"last_name": "BENCH", "first_name": "Camille"}
    )
    user.email_verified_at = timezone.now()
    user.set_password(USER_PASSWORD)
    user.save()
    structure = Structure.objects.filter(is_private=False).order_by("pk").first()
    if not Membership.objects.filter(user=user, structure=structure).exists():
        Membership.objects.create(user=user, structure=structure, role=Role.USER)
    session = SessionStore()
    session.update(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_hash": user.get_session_auth_hash(),
            "_auth_user_backend": "accounts.backends.UserBackend",
        }
    )
    session.create()

    step_2 = _signup_identified(*SIGNUP_STEP_2)
    email, siret = SIGNUP_STEP_3
    step_3 = _signup_submitted(email.format(uuid.uuid4().hex[:8]), siret)

    pending, _ = user_model.objects.get_or_create(
        email="pending.bench@example.fr", defaults={"last_name": "PENDING", "first_name": "Dominique"}
    )
    pending.email_verified_at = None
    pending.set_unusable_password()
    pending.save()
    return {
        "sessions": {
            "user": session.session_key,
            "signup-2": step_2.cookies["sessionid"].value,
            "signup-3": step_3.cookies["sessionid"].value,
        },
        "paths": {"activation": f"/fr/activation/{activation_tokens.make(pending)}/"},
    }


def print_prepared():
    """prepare()'s answer as one JSON line (for bench/pages.py, which runs it in `manage.py shell`)."""
    print(json.dumps(prepare()))
