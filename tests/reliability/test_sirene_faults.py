"""The SIRENE directory slow, failing or rate-limiting during a signup: step 1 answers within SIRENE_TIMEOUT plus
one second, and the person completes the signup by typing the structure (step 2's structure block is editable).

The directory APIs are stood in by a real threaded HTTP server on loopback (pytest-httpserver); the whole signup
goes through the HTTP test client."""

import re
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from structures.models import Membership, Role, Structure
from tests.accounts.conftest import API_PATH, LE_CHAT_QUI_PECHE
from tests.accounts.test_signup_views import new_structure

TIMEOUT = 1.0
BOUND = TIMEOUT + 1.0  # what the page may take at most
EMAIL = "jean.dupond@example.fr"
NOTICES = {
    "fr": "Le répertoire SIRENE de l'INSEE ne répond pas",
    "en": "The INSEE SIRENE directory does not answer right now",
}


@pytest.fixture(scope="module")
def server():
    """A threaded server: a slow answer in progress does not hold the next request back."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def directory(server, settings):
    """Both remote backends on the loopback server, a one-second timeout; slow handlers end with the test."""
    settings.SIRENE_BACKENDS = ["insee", "recherche_entreprises"]
    settings.INSEE_SIRENE_API_URL = server.url_for(API_PATH)
    settings.INSEE_SIRENE_API_KEY = "test-key"
    settings.RECHERCHE_ENTREPRISES_API_URL = server.url_for("/")
    settings.SIRENE_TIMEOUT = TIMEOUT
    server.release = threading.Event()
    yield server
    server.release.set()
    server.clear()


def insee(server):
    return server.expect_request(f"{API_PATH}/siret/{LE_CHAT_QUI_PECHE}")


def recherche(server):
    return server.expect_request("/search", query_string={"q": LE_CHAT_QUI_PECHE})


def slow(server):
    def handler(request):
        server.release.wait(TIMEOUT + 5)  # far beyond the timeout; let go when the test ends
        return Response("{}", content_type="application/json")

    return handler


def trickling(server):
    """Answers at once, then sends its body one byte at a time: each read is quick, the whole never ends."""

    def body():
        for _ in range(100):
            if server.release.wait(0.2):
                return
            yield b" "

    return lambda request: Response(body(), content_type="application/json")


FAULTS = {
    "slow": lambda server, expect: expect(server).respond_with_handler(slow(server)),
    "trickling": lambda server, expect: expect(server).respond_with_handler(trickling(server)),
    "failing": lambda server, expect: expect(server).respond_with_data("Internal Server Error", status=500),
    "rate-limiting": lambda server, expect: expect(server).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "60"}
    ),
}


def step1_timed(client, lang):
    """Step 1 posted and timed; the page is shown first, as a person would see it (and the process is warm)."""
    assert client.get(f"/{lang}/signup/").status_code == 200
    started = time.monotonic()
    response = client.post(f"/{lang}/signup/", {"email": EMAIL, "siret": LE_CHAT_QUI_PECHE})
    return response, time.monotonic() - started


def complete_by_hand(client, lang):
    """Step 2 shows the directory's notice and an editable structure block; the typed structure is created."""
    page = client.get(f"/{lang}/signup/information/").content.decode()
    assert NOTICES[lang] in page.replace("&#x27;", "'")
    field = re.search(r'<input[^>]*name="corporate_name"[^>]*>', page).group(0)
    assert "readonly" not in field and "disabled" not in field
    data = new_structure(corporate_name="SAISIE MANUELLE", address="1 RUE DE LA PAIX")
    response = client.post(f"/{lang}/signup/information/", data)
    assert (response.status_code, response.headers["Location"]) == (302, f"/{lang}/signup/working-areas/")
    client.post(f"/{lang}/signup/working-areas/", {"workspaces": ["issued-invoices"]})
    assert client.get(f"/{lang}/signup/done/").status_code == 200
    structure = Structure.objects.get(identifier=LE_CHAT_QUI_PECHE)
    assert (structure.corporate_name, structure.address) == ("SAISIE MANUELLE", "1 RUE DE LA PAIX")
    assert Membership.objects.get(structure=structure).role == Role.PRIMARY_MANAGER


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fault", FAULTS)
def test_one_backend_at_fault(client, directory, settings, fault, lang):
    settings.SIRENE_BACKENDS = ["insee"]
    FAULTS[fault](directory, insee)
    response, elapsed = step1_timed(client, lang)
    assert (response.status_code, response.headers["Location"]) == (302, f"/{lang}/signup/information/")
    assert elapsed < BOUND, f"step 1 took {elapsed:.2f} s"
    complete_by_hand(client, lang)


@pytest.mark.parametrize("fault", FAULTS)
def test_every_backend_at_fault_within_one_timeout(client, directory, fault):
    """SIRENE_TIMEOUT bounds the whole lookup, not each backend: two slow directories do not add up."""
    FAULTS[fault](directory, insee)
    FAULTS[fault](directory, recherche)
    response, elapsed = step1_timed(client, "fr")
    assert response.status_code == 302
    assert elapsed < BOUND, f"step 1 took {elapsed:.2f} s"
    complete_by_hand(client, "fr")


def test_a_rate_limited_directory_is_not_called_again_before_its_retry_after(client, directory, settings):
    settings.SIRENE_BACKENDS = ["insee"]
    FAULTS["rate-limiting"](directory, insee)
    step1_timed(client, "fr")
    calls = len(directory.log)
    response, elapsed = step1_timed(client, "fr")
    assert response.status_code == 302 and elapsed < BOUND
    assert len(directory.log) == calls  # the second signup did not knock again
    complete_by_hand(client, "fr")
