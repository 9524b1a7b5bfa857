from django.urls import reverse
from django.utils import translation


def test_the_meter_endpoint_scores_and_lists_what_is_missing(client):
    url = reverse("password_strength")
    weak = client.post(url, {"password": "abc"}).json()
    assert weak["ok"] is False
    assert weak["score"] == 0
    assert weak["label"] == "Très insuffisant"
    codes = {problem["code"] for problem in weak["problems"]}
    assert {"password_too_short", "password_too_few_groups"} <= codes

    strong = client.post(url, {"password": "Ornithorynque-Bleu-47"}).json()
    assert strong == {"score": 4, "label": "Très Satisfaisant", "problems": [], "ok": True}


def test_the_meter_knows_the_users_names(client):
    url = reverse("password_strength")
    answer = client.post(
        url, {"password": "Stephanie.Dupond@aife", "email": "stephanie.dupond@aife.fr", "last_name": "DUPOND"}
    ).json()
    assert "password_too_similar" in {problem["code"] for problem in answer["problems"]}


def test_the_meter_speaks_the_pages_language(client):
    with translation.override("en"):
        url = reverse("password_strength")
    assert client.post(url, {"password": "Ornithorynque-Bleu-47"}).json()["label"] == "Very satisfactory"


def test_the_meter_needs_post_and_csrf(client):
    url = reverse("password_strength")
    assert client.get(url).status_code == 405
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post(url, {"password": "x"}).status_code == 403


def test_the_meter_is_rate_limited(client):
    url = reverse("password_strength")
    for _ in range(120):
        client.post(url, {"password": "x"})
    assert client.post(url, {"password": "x"}).status_code == 429


def test_the_meter_script_is_loaded_with_the_csp_nonce(client, pending_user):
    from accounts.tokens import activation_tokens

    response = client.get(reverse("activate", kwargs={"token": activation_tokens.make(pending_user)}))
    assert "script-src 'self' 'nonce-" in response.headers["Content-Security-Policy"]
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'src="/static/accounts/js/password-meter.js" nonce="{nonce}"' in response.text
    assert 'id="password-meter" hidden' in response.text.replace("\n", " ").replace("  ", " ") or (
        'id="password-meter"' in response.text and "hidden" in response.text
    )
