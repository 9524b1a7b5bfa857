import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from structures.models import Structure
from tests.connected.conftest import login
from tests.factories import StructureFactory


@pytest.fixture
def public_structures(db):
    call_command("load_demo_data", stdout=io.StringIO())
    return Structure.objects.filter(is_private=False)


def test_demo_data_is_idempotent(public_structures):
    count = public_structures.count()
    call_command("load_demo_data", stdout=io.StringIO())
    assert count == 7 == Structure.objects.filter(is_private=False).count()


@pytest.mark.parametrize("query", ["epinal", "ÉPINAL", "Vosges habitat", "88000", "vosgés"])
def test_search_ignores_accents_and_case(client, public_structures, query):
    page = client.get(reverse("structure_search"), {"q": query}).content.decode()
    assert "Vosges Habitat" in page


def test_search_shows_only_public_active_structures(client, public_structures):
    StructureFactory(corporate_name="BORDEAUX PRIVATE SARL", city="BORDEAUX", is_private=True)
    StructureFactory(
        corporate_name="BORDEAUX ANCIENNE REGIE",
        city="BORDEAUX",
        is_private=False,
        status=Structure.Status.INACTIVE,
    )
    page = client.get("/en/structures/recherche/", {"q": "bordeaux"}).content.decode()
    assert "Bordeaux Métropole" in page and "Ville de Bordeaux" in page
    assert "PRIVATE" not in page and "ANCIENNE" not in page
    assert "2 structures found" in page


def test_search_by_identifier(client, public_structures):
    structure = public_structures.get(label="Vosges Habitat")
    page = client.get("/fr/structures/recherche/", {"q": structure.identifier}).content.decode()
    assert "Vosges Habitat" in page and "1 structure trouvée" in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_search_is_paginated_with_bounded_queries(client, lang, django_assert_num_queries):
    for number in range(25):
        StructureFactory(corporate_name=f"COMMUNE DE SAINT-ÉTIENNE {number:02d}", is_private=False)
    with django_assert_num_queries(2):  # count, page
        page = client.get(f"/{lang}/structures/recherche/", {"q": "saint etienne"}).content.decode()
    assert page.count("COMMUNE DE SAINT") == 10
    assert "1 / 3" in page
    last = client.get(f"/{lang}/structures/recherche/", {"q": "saint etienne", "page": 3}).content.decode()
    assert last.count("COMMUNE DE SAINT") == 5


def test_empty_search_shows_the_form_only(client):
    page = client.get("/fr/structures/recherche/").content.decode()
    assert "Rechercher une structure publique" in page
    assert "Résultat de la recherche" not in page


def test_no_result_says_so(client, public_structures):
    page = client.get("/fr/structures/recherche/", {"q": "zzzz"}).content.decode()
    assert "Aucune structure publique ne correspond" in page


def test_export_the_results_as_csv(client, public_structures):
    StructureFactory(corporate_name="=HYPERLINK(1)", city="BORDEAUX", is_private=False)
    response = client.get("/fr/structures/recherche/export.csv", {"q": "bordeaux"})
    assert response["Content-Type"].startswith("text/csv")
    rows = exported_rows(response)
    assert rows[0] == ["Identifiant", "Raison sociale", "Libellé de la structure", "Code postal", "Ville"]
    names = {row[1] for row in rows[1:]}
    assert names == {"BORDEAUX MÉTROPOLE", "VILLE DE BORDEAUX", "'=HYPERLINK(1)"}


def exported_rows(response):
    assert response.streaming  # written as it is read, never held whole in memory
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


@pytest.fixture
def cap_of_three(monkeypatch):
    from structures.views import PublicSearchPaginator

    monkeypatch.setattr(PublicSearchPaginator, "cap", 3)


@pytest.mark.parametrize(
    ("lang", "text", "export_note"),
    [
        (
            "fr",
            "Plus de 3 structures trouvées : affinez votre recherche.",
            "L'export contient les 5\N{NO-BREAK SPACE}000 premières structures, dans l'ordre des pages.",
        ),
        (
            "en",
            "More than 3 structures found: refine your search.",
            "The export holds the first 5,000 structures, in the order of the pages.",
        ),
    ],
)
def test_beyond_the_cap_the_count_says_more_than(client, cap_of_three, lang, text, export_note):
    for number in range(5):
        StructureFactory(corporate_name=f"MAIRIE DE QUIMPER {number}", city="QUIMPER", is_private=False)
    page = client.get(f"/{lang}/structures/recherche/", {"q": "quimper"}).content.decode()
    assert text in page and export_note in page
    assert "structures trouvées</p>" not in page.replace(text, "")


def test_under_the_cap_the_count_is_exact(client, cap_of_three):
    for number in range(3):
        StructureFactory(corporate_name=f"MAIRIE DE QUIMPER {number}", is_private=False)
    page = client.get("/fr/structures/recherche/", {"q": "quimper"}).content.decode()
    assert "3 structures trouvées" in page and "Plus de" not in page and "export contient" not in page


def test_capped_search_pages_and_export(client, monkeypatch, django_assert_num_queries):
    from structures.views import PublicSearchPaginator

    monkeypatch.setattr(PublicSearchPaginator, "cap", 20)
    for number in range(25):
        StructureFactory(corporate_name=f"COMMUNE DE BREST {number:02d}", city="BREST", is_private=False)
    with django_assert_num_queries(2):  # the capped count, the page
        first = client.get("/fr/structures/recherche/", {"q": "brest"}).content.decode()
    assert "Plus de 20 structures trouvées" in first and "1 / 2" in first
    second = client.get("/fr/structures/recherche/", {"q": "brest", "page": 2}).content.decode()
    names = [f"COMMUNE DE BREST {number:02d}" for number in range(25)]
    assert [name for name in names if name in second] == names[10:20]
    # The export is not capped by the page's count: every match, in the order of the pages, up to EXPORT_LIMIT.
    rows = exported_rows(client.get("/fr/structures/recherche/export.csv", {"q": "brest"}))
    assert [row[1] for row in rows[1:]] == names
    monkeypatch.setattr("structures.views.EXPORT_LIMIT", 12)
    rows = exported_rows(client.get("/en/structures/recherche/export.csv", {"q": "brest"}))
    assert rows[0] == ["Identifier", "Corporate name", "Structure label", "Postal code", "City"]
    assert [row[1] for row in rows[1:]] == names[:12]


def test_export_without_query_goes_back_to_the_search(client):
    assert client.get("/fr/structures/recherche/export.csv").status_code == 302


def test_connected_users_search_too(client, supplier, public_structures):
    login(client, supplier)
    assert "Vosges Habitat" in client.get("/fr/structures/recherche/", {"q": "vosges"}).content.decode()
