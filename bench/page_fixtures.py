"""The pages of issue 8's page target and the data they need, shared by bench/pages.py (through gunicorn) and
bench/render_profile.py (in-process).

Some pages need a session or a token: signup step 2 (a signup identified at step 1), step 3 (a signup whose step 2
was submitted), the activation page (the emailed link of an account waiting for activation), "Mon Compte" and the
connected home (a logged-in user, attached to a structure, with the default workspaces open as after a signup).
`prepare()` makes them through the portal itself (the pages opened and their forms posted with Django's test
client, the captcha answered from its challenge row) in the database of the settings in use, and returns the
cookies of those pages and the activation path.

The cookies are the ones a browser sends on those pages: its session and the CSRF cookie of the form it posted to
get there (step 1's, step 2's, the login form's), so those pages mask the browser's CSRF secret as they would in
use instead of making a new one on every request. The pages a visitor can open first (home, login, signup step 1,
activation, search) are requested with no cookie: a first visit, the dearer case.

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
# label -> the browser (a key of prepare()'s "cookies") whose cookies its requests carry.
COOKIES = {
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


def _cookies(client):
    """The Cookie header of a browser that made ``client``'s requests: its session and its CSRF cookie."""
    return "; ".join(f"{name}={client.cookies[name].value}" for name in ("sessionid", "csrftoken"))


def _signup_identified(email, siret):
    client = _client()
    client.get("/fr/signup/")  # the form, and with it the CSRF cookie its post needs
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
    """{"cookies": {name: Cookie header}, "paths": {label: path}} for the pages that need them."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.services import user_workspaces_open_defaults
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
    user_workspaces_open_defaults(user=user)
    logged_in = _client()
    logged_in.get("/fr/login/")  # the login form and its CSRF cookie
    logged_in.force_login(user, backend="accounts.backends.UserBackend")

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
        "cookies": {
            "user": _cookies(logged_in),
            "signup-2": _cookies(step_2),
            "signup-3": _cookies(step_3),
        },
        "paths": {"activation": f"/fr/activation/{activation_tokens.make(pending)}/"},
    }


def print_prepared():
    """prepare()'s answer as one JSON line (for bench/pages.py, which runs it in `manage.py shell`)."""
    print(json.dumps(prepare()))
