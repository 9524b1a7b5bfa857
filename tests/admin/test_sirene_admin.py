"""The SIRENE directory in the admin: establishments and legal units (read-only, searchable), import history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from structures.models import Establishment, LegalUnit, SireneImport
from structures.sirene.stock import sirene_demo_load

ESTABLISHMENTS = "admin:structures_establishment_changelist"
LEGAL_UNITS = "admin:structures_legalunit_changelist"
IMPORTS = "admin:structures_sireneimport_changelist"


@pytest.fixture
def directory():
    sirene_demo_load()


def listed(response):
    assert response.status_code == 200
    return [obj.pk for obj in response.context["cl"].result_list]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("83128597800019", ["83128597800019"]),
        ("831 285 978 00019", ["83128597800019"]),
        ("831285978", ["83128597800019"]),  # a SIREN: its establishments
        ("9000000", ["90000000100017", "90000001900019"]),  # first digits
        ("le chat", ["83128597800019"]),  # start of the corporate name, any case
        ("chat", []),  # not the start of the name
        ("123456789012345", []),
    ],
)
def test_establishments_search(directory, moderator_client, term, expected):
    assert listed(moderator_client.get(reverse(ESTABLISHMENTS), {"q": term})) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"is_active__exact": "0"}, ["90000000100017"]),
        ({"is_head_office__exact": "0"}, ["35600000000015"]),
        ({"is_non_diffusible__exact": "1"}, ["90000001900019"]),
    ],
)
def test_establishments_filters(directory, moderator_client, params, expected):
    assert listed(moderator_client.get(reverse(ESTABLISHMENTS), params)) == expected


def test_legal_units_search(directory, moderator_client):
    url = reverse(LEGAL_UNITS)
    assert listed(moderator_client.get(url, {"q": "831285978"})) == ["831285978"]
    assert listed(moderator_client.get(url, {"q": "83128597800019"})) == ["831285978"]
    assert listed(moderator_client.get(url, {"q": "la poste"})) == ["356000000"]
    assert listed(moderator_client.get(url, {"is_active__exact": "0"})) == ["900000001"]


def test_the_directory_is_read_only(directory, administrator_client):
    for model, pk in (("establishment", "83128597800019"), ("legalunit", "831285978")):
        assert administrator_client.get(reverse(f"admin:structures_{model}_add")).status_code == 403
        assert (
            administrator_client.get(reverse(f"admin:structures_{model}_delete", args=[pk])).status_code
            == 403
        )
        change = reverse(f"admin:structures_{model}_change", args=[pk])
        response = administrator_client.get(change)
        assert response.status_code == 200
        assert "LE CHAT QUI PECHE" in response.content.decode()
        assert administrator_client.post(change, {"siren": "831285978"}).status_code == 403
    assert Establishment.objects.get(pk="83128597800019").legal_unit_id == "831285978"


def test_establishments_changelist_queries_and_count_are_bounded(moderator_client):
    def page():
        with CaptureQueriesContext(connection) as queries:
            response = moderator_client.get(reverse(ESTABLISHMENTS), {"is_active__exact": "1"})
        assert response.status_code == 200
        return len(queries), response

    def add(count, start):
        LegalUnit.objects.bulk_create(
            LegalUnit(siren=f"{n:09d}", corporate_name=f"SOCIETE {n}") for n in range(start, start + count)
        )
        Establishment.objects.bulk_create(
            Establishment(siret=f"{n:09d}00011", legal_unit_id=f"{n:09d}", city="LYON")
            for n in range(start, start + count)
        )

    add(5, 1)
    page()
    few, _ = page()
    add(150, 100)
    many, response = page()
    assert few == many <= 8
    assert len(response.context["cl"].result_list) == 100
    assert "SOCIETE 100" in response.content.decode()


def test_the_count_stops_at_the_cap(moderator_client, monkeypatch):
    from structures.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    Establishment.objects.bulk_create(Establishment(siret=f"{n:09d}00011") for n in range(1, 6))
    response = moderator_client.get(reverse(ESTABLISHMENTS))
    assert response.context["cl"].result_count == 3


def test_import_history_for_administrators_only(directory, administrator_client, moderator_client):
    url = reverse(IMPORTS)
    response = administrator_client.get(url)
    assert len(listed(response)) == 2
    content = response.content.decode()
    assert "StockEtablissement_demo.csv" in content and "StockUniteLegale_demo.csv" in content
    assert moderator_client.get(url).status_code == 403
    history = SireneImport.objects.create(
        file_name="StockEtablissement_utf8.zip",
        kind=SireneImport.Kind.ESTABLISHMENTS,
        status=SireneImport.Status.SUCCEEDED,
        rows_read=12,
        rows_inserted=9,
        rows_rejected=3,
        rejections={"bad_siret": {"count": 2, "lines": [4, 7]}, "duplicate": {"count": 1, "lines": []}},
    )
    page = administrator_client.get(reverse("admin:structures_sireneimport_change", args=[history.pk]))
    content = page.content.decode()
    assert "bad_siret : 2 (lignes 4, 7…)" in content and "duplicate : 1" in content
    assert administrator_client.get(reverse("admin:structures_sireneimport_add")).status_code == 403
    assert (
        administrator_client.get(
            reverse("admin:structures_sireneimport_delete", args=[history.pk])
        ).status_code
        == 403
    )
