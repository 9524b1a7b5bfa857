"""The SIRET lookup against real HTTP servers on loopback (pytest-httpserver), and the local directory."""

import datetime as dt
import gzip
import json
import time

import pytest
import time_machine
from werkzeug import Response

from structures.models import Establishment, LegalUnit
from structures.sirene import SireneStatus, lookup_siret
from structures.sirene.backends import SharedRateLimit
from tests.structures import sirene_payloads as payloads

SIRET = "26570134200148"
INSEE_PATH = "/api-sirene/3.11"
NOW = dt.datetime(2026, 11, 23, 9, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def insee(settings, httpserver):
    settings.SIRENE_BACKENDS = ["insee"]
    settings.INSEE_SIRENE_API_URL = httpserver.url_for(INSEE_PATH)
    settings.INSEE_SIRENE_API_KEY = "cle-de-test"
    return httpserver


@pytest.fixture
def recherche(settings, httpserver):
    settings.SIRENE_BACKENDS = ["recherche_entreprises"]
    settings.RECHERCHE_ENTREPRISES_API_URL = httpserver.url_for("/")
    return httpserver


def expect_insee(server, siret=SIRET):
    return server.expect_request(
        f"{INSEE_PATH}/siret/{siret}",
        headers={"X-INSEE-Api-Key-Integration": "cle-de-test", "Accept": "application/json"},
    )


def expect_recherche(server, siret=SIRET):
    return server.expect_request("/search", query_string={"q": siret})


EXPECT = {"insee": expect_insee, "recherche_entreprises": expect_recherche}


# --- INSEE -------------------------------------------------------------------------------------------------------


def test_insee_open_establishment(insee):
    expect_insee(insee).respond_with_json(payloads.INSEE_OPEN)
    result = lookup_siret("265 701 342 00148")
    assert result.status == SireneStatus.FOUND
    assert result.siret == SIRET
    assert result.corporate_name == "CENTRE COMMUNAL D'ACTION SOCIALE"
    assert result.address == "22 RUE DU WAD BILLY"
    assert result.address_complement_1 == "22-24"
    assert (result.postal_code, result.city, result.country) == ("57000", "METZ", "FR")
    assert result.is_head_office and result.is_active and not result.is_non_diffusible
    assert result.backend == "insee"


def test_insee_sends_an_explicit_user_agent(insee, settings):
    settings.SIRENE_USER_AGENT = "Portail de test (contact@example.fr)"
    expect_insee(insee).respond_with_json(payloads.INSEE_OPEN)
    lookup_siret(SIRET)
    request, _ = insee.log[0]
    assert request.headers["User-Agent"] == "Portail de test (contact@example.fr)"


def test_insee_closed_establishment(insee):
    expect_insee(insee).respond_with_json(payloads.insee_closed())
    result = lookup_siret(SIRET)
    assert result.status == SireneStatus.CLOSED
    assert not result.is_active
    assert result.corporate_name == "CENTRE COMMUNAL D'ACTION SOCIALE"


def test_insee_non_diffusible_establishment_returns_no_masked_field(insee):
    expect_insee(insee, "12345678200010").respond_with_json(payloads.INSEE_NON_DIFFUSIBLE)
    result = lookup_siret("12345678200010")
    assert result.status == SireneStatus.FOUND
    assert result.is_non_diffusible
    assert result.corporate_name == result.address == result.postal_code == result.city == ""
    assert "[ND]" not in json.dumps(result.__dict__)


def test_insee_not_configured_is_unavailable(insee, settings):
    settings.INSEE_SIRENE_API_KEY = ""
    assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
    assert not insee.log


# --- Recherche d'entreprises -------------------------------------------------------------------------------------


def test_recherche_open_head_office(recherche):
    expect_recherche(recherche).respond_with_json(payloads.RECHERCHE_OPEN)
    result = lookup_siret(SIRET)
    assert result.status == SireneStatus.FOUND
    assert result.corporate_name == "CENTRE COMMUNAL D'ACTION SOCIALE"
    assert result.address == "22 RUE DU WAD BILLY"
    assert (result.postal_code, result.city, result.country) == ("57000", "METZ", "FR")
    assert result.is_head_office
    assert result.backend == "recherche_entreprises"
    request, _ = recherche.log[0]
    assert "onboarding portal" in request.headers["User-Agent"]


def test_recherche_secondary_establishment_splits_its_one_line_address(recherche):
    expect_recherche(recherche, "26570134200155").respond_with_json(payloads.recherche_secondary())
    result = lookup_siret("26570134200155")
    assert result.status == SireneStatus.FOUND
    assert result.label == "MAISON DES SOLIDARITES"
    assert result.address == "3 RUE DES JARDINS"
    assert (result.postal_code, result.city) == ("57000", "METZ")
    assert not result.is_head_office


def test_recherche_closed_establishment(recherche):
    expect_recherche(recherche).respond_with_json(payloads.recherche_closed())
    result = lookup_siret(SIRET)
    assert result.status == SireneStatus.CLOSED
    assert not result.is_active


def test_recherche_non_diffusible_returns_no_masked_field(recherche):
    expect_recherche(recherche, "12345678200010").respond_with_json(payloads.RECHERCHE_NON_DIFFUSIBLE)
    result = lookup_siret("12345678200010")
    assert result.status == SireneStatus.FOUND
    assert result.is_non_diffusible
    assert result.corporate_name == result.address == result.postal_code == result.city == ""
    assert "NON-DIFFUSIBLE" not in json.dumps(result.__dict__)


def test_recherche_no_result_is_unknown(recherche):
    expect_recherche(recherche).respond_with_json(payloads.RECHERCHE_EMPTY)
    assert lookup_siret(SIRET).status == SireneStatus.UNKNOWN


def test_recherche_result_for_another_siret_is_unknown(recherche):
    expect_recherche(recherche, "26570134200163").respond_with_json(payloads.RECHERCHE_OPEN)
    assert lookup_siret("26570134200163").status == SireneStatus.UNKNOWN


# --- Errors, both HTTP backends ----------------------------------------------------------------------------------


@pytest.fixture(params=["insee", "recherche_entreprises"])
def backend(request, settings, httpserver):
    settings.SIRENE_BACKENDS = [request.param]
    settings.INSEE_SIRENE_API_URL = httpserver.url_for(INSEE_PATH)
    settings.INSEE_SIRENE_API_KEY = "cle-de-test"
    settings.RECHERCHE_ENTREPRISES_API_URL = httpserver.url_for("/")
    return request.param


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, SireneStatus.UNKNOWN),
        (401, SireneStatus.UNAVAILABLE),
        (403, SireneStatus.UNAVAILABLE),
        (404, SireneStatus.UNKNOWN),
        (500, SireneStatus.UNAVAILABLE),
        (502, SireneStatus.UNAVAILABLE),
        (503, SireneStatus.UNAVAILABLE),
    ],
)
def test_http_statuses(backend, httpserver, status, expected):
    EXPECT[backend](httpserver).respond_with_json(payloads.INSEE_NOT_FOUND, status=status)
    assert lookup_siret(SIRET).status == expected


def test_non_json_body_is_unavailable(backend, httpserver):
    EXPECT[backend](httpserver).respond_with_data("<html>Maintenance</html>", content_type="text/html")
    assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE


def test_a_huge_body_is_unavailable(backend, httpserver):
    EXPECT[backend](httpserver).respond_with_data(" " * 2_000_000, content_type="application/json")
    assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE


def test_a_gzipped_answer_is_read(backend, httpserver):
    body = json.dumps(payloads.INSEE_OPEN if backend == "insee" else payloads.RECHERCHE_OPEN).encode()
    EXPECT[backend](httpserver).respond_with_data(
        gzip.compress(body), content_type="application/json", headers={"Content-Encoding": "gzip"}
    )
    assert lookup_siret(SIRET).status == SireneStatus.FOUND


@pytest.mark.parametrize(
    "body", [{}, {"header": {"statut": 200}}, {"etablissement": {}}, {"results": None}, []]
)
def test_missing_keys_is_unavailable(backend, httpserver, body):
    EXPECT[backend](httpserver).respond_with_json(body)
    assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE


def test_timeout_is_unavailable(backend, httpserver, settings):
    settings.SIRENE_TIMEOUT = 0.2

    def slow(request):
        time.sleep(0.6)
        return Response(json.dumps(payloads.INSEE_OPEN), content_type="application/json")

    EXPECT[backend](httpserver).respond_with_handler(slow)
    started = time.monotonic()
    assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
    assert time.monotonic() - started < 0.55
    # Let the server finish the slow answer before the next test reuses it.
    while not httpserver.log and time.monotonic() - started < 5:
        time.sleep(0.05)


def test_connection_refused_is_unavailable(backend, settings):
    settings.INSEE_SIRENE_API_URL = "http://127.0.0.1:9/api-sirene/3.11"
    settings.RECHERCHE_ENTREPRISES_API_URL = "http://127.0.0.1:9"
    assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE


def test_429_with_retry_after_stops_the_calls_until_then(backend, httpserver):
    ok = payloads.INSEE_OPEN if backend == "insee" else payloads.RECHERCHE_OPEN
    with time_machine.travel(NOW, tick=False) as traveller:
        EXPECT[backend](httpserver).respond_with_json({}, status=429, headers={"Retry-After": "120"})
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        assert len(httpserver.log) == 1
        traveller.shift(100)
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        assert len(httpserver.log) == 1  # not called while the API asked to wait
        httpserver.clear()
        EXPECT[backend](httpserver).respond_with_json(ok)
        traveller.shift(30)
        assert lookup_siret(SIRET).status == SireneStatus.FOUND
        assert len(httpserver.log) == 1


def test_429_with_an_http_date_retry_after(backend, httpserver):
    with time_machine.travel(NOW, tick=False) as traveller:
        EXPECT[backend](httpserver).respond_with_json(
            {}, status=429, headers={"Retry-After": "Mon, 23 Nov 2026 09:05:10 GMT"}
        )
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        traveller.shift(290)
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        assert len(httpserver.log) == 1
        traveller.shift(20)
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        assert len(httpserver.log) == 2


def test_429_without_retry_after_waits_a_minute(backend, httpserver):
    with time_machine.travel(NOW, tick=False) as traveller:
        EXPECT[backend](httpserver).respond_with_json({}, status=429)
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        traveller.shift(50)
        assert lookup_siret(SIRET).status == SireneStatus.UNAVAILABLE
        assert len(httpserver.log) == 1
        traveller.shift(15)
        lookup_siret(SIRET)
        assert len(httpserver.log) == 2


# --- Order of the backends, cache --------------------------------------------------------------------------------


@pytest.fixture
def both(settings, httpserver):
    settings.SIRENE_BACKENDS = ["insee", "recherche_entreprises"]
    settings.INSEE_SIRENE_API_URL = httpserver.url_for(INSEE_PATH)
    settings.INSEE_SIRENE_API_KEY = "cle-de-test"
    settings.RECHERCHE_ENTREPRISES_API_URL = httpserver.url_for("/")
    return httpserver


def test_unavailable_backend_hands_over_to_the_next(both):
    expect_insee(both).respond_with_data("Service Unavailable", status=503)
    expect_recherche(both).respond_with_json(payloads.RECHERCHE_OPEN)
    result = lookup_siret(SIRET)
    assert result.status == SireneStatus.FOUND
    assert result.backend == "recherche_entreprises"
    assert [request.path for request, _ in both.log] == [f"{INSEE_PATH}/siret/{SIRET}", "/search"]


def test_unknown_answer_is_final(both):
    expect_insee(both).respond_with_json(payloads.INSEE_NOT_FOUND, status=404)
    expect_recherche(both).respond_with_json(payloads.RECHERCHE_OPEN)
    assert lookup_siret(SIRET).status == SireneStatus.UNKNOWN
    assert len(both.log) == 1


def test_every_backend_unavailable(both):
    expect_insee(both).respond_with_data("", status=500)
    expect_recherche(both).respond_with_data("", status=502)
    result = lookup_siret(SIRET)
    assert result.status == SireneStatus.UNAVAILABLE
    assert result.siret == SIRET


def test_local_directory_answers_first_without_any_call(both, settings):
    settings.SIRENE_BACKENDS = ["local", "insee", "recherche_entreprises"]
    LegalUnit.objects.create(siren="265701342", corporate_name="CCAS DE METZ")
    Establishment.objects.create(
        siret=SIRET, legal_unit_id="265701342", address="22 RUE DU WAD BILLY", city="METZ"
    )
    result = lookup_siret(SIRET)
    assert (result.status, result.backend, result.corporate_name) == (
        SireneStatus.FOUND,
        "local",
        "CCAS DE METZ",
    )
    assert lookup_siret("73282932000074").status == SireneStatus.UNKNOWN
    assert not both.log


def test_empty_local_directory_hands_over(both, settings):
    settings.SIRENE_BACKENDS = ["local", " recherche_entreprises", "no_such_backend"]
    expect_recherche(both).respond_with_json(payloads.RECHERCHE_OPEN)
    assert lookup_siret(SIRET).backend == "recherche_entreprises"


def test_invalid_siret_is_unknown_without_any_call(both):
    assert lookup_siret("26570134200149").status == SireneStatus.UNKNOWN
    assert lookup_siret("").status == SireneStatus.UNKNOWN
    assert not both.log


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, payloads.INSEE_OPEN, SireneStatus.FOUND),
        (200, payloads.insee_closed(), SireneStatus.CLOSED),
        (404, payloads.INSEE_NOT_FOUND, SireneStatus.UNKNOWN),
    ],
)
def test_answers_are_cached_for_the_configured_time(insee, settings, status, body, expected):
    settings.SIRENE_CACHE_SECONDS = 3600
    expect_insee(insee).respond_with_json(body, status=status)
    with time_machine.travel(NOW, tick=False) as traveller:
        first = lookup_siret(SIRET)
        assert first.status == expected
        traveller.shift(3500)
        assert lookup_siret(SIRET) == first
        assert len(insee.log) == 1
        traveller.shift(200)
        assert lookup_siret(SIRET) == first
        assert len(insee.log) == 2


def test_unavailable_answers_are_not_cached(insee):
    expect_insee(insee).respond_with_data("", status=503)
    lookup_siret(SIRET)
    lookup_siret(SIRET)
    assert len(insee.log) == 2


# --- Rate limit --------------------------------------------------------------------------------------------------


def test_rate_limit_is_a_sliding_minute():
    limit = SharedRateLimit("test:slot", 3)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, 50, tzinfo=dt.UTC), tick=False) as traveller:
        assert [limit.acquire() for _ in range(4)] == [True, True, True, False]
        traveller.shift(20)  # 09:01:10, a new minute window but only 20 s later
        assert not limit.acquire()
        traveller.shift(41)  # 09:01:51, 61 s after the first three
        assert [limit.acquire() for _ in range(4)] == [True, True, True, False]


def test_insee_calls_beyond_the_quota_hand_over(both, settings):
    settings.INSEE_SIRENE_REQUESTS_PER_MINUTE = 2
    for siret in ("26570134200148", "26570134200155", "26570134200163"):
        expect_insee(both, siret).respond_with_json(payloads.INSEE_NOT_FOUND, status=404)
    expect_recherche(both, "26570134200163").respond_with_json(payloads.RECHERCHE_EMPTY)
    statuses = [lookup_siret(s).backend for s in ("26570134200148", "26570134200155", "26570134200163")]
    assert statuses == ["insee", "insee", "recherche_entreprises"]


def test_local_lookup_is_one_query(settings, django_assert_num_queries):
    settings.SIRENE_BACKENDS = ["local"]
    Establishment.objects.create(siret=SIRET, city="METZ")
    with django_assert_num_queries(1):
        assert lookup_siret(SIRET).status == SireneStatus.FOUND
    with django_assert_num_queries(2):  # the miss, then whether the directory is empty
        assert lookup_siret("73282932000074").status == SireneStatus.UNKNOWN
