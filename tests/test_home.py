import datetime
import html

import pytest
from django.utils import timezone

from tests.factories import NewsFactory, StructureFactory


def test_root_redirects_by_browser_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").headers["Location"] == "/fr/"


def test_home_shows_published_news_in_the_page_language(client):
    NewsFactory(body_fr="Chorus Pro remplace Chorus Factures", body_en="Chorus Pro replaces Chorus Factures")
    assert "Chorus Pro remplace Chorus Factures" in client.get("/fr/").text
    assert "Chorus Pro replaces Chorus Factures" in client.get("/en/").text


def test_home_page_queries_are_bounded(client, django_assert_max_num_queries, django_assert_num_queries):
    NewsFactory.create_batch(8)
    with django_assert_max_num_queries(8):  # the cache read, the news, the cache's write
        assert client.get("/fr/").status_code == 200
    with django_assert_num_queries(1):  # then the news come from the shared cache
        assert client.get("/en/").status_code == 200


def test_a_news_item_saved_shows_at_once(client, django_capture_on_commit_callbacks):
    NewsFactory(body_fr="Première actualité")
    assert "Première actualité" in client.get("/fr/").text
    with django_capture_on_commit_callbacks(execute=True):
        item = NewsFactory(body_fr="Deuxième actualité")
    assert "Deuxième actualité" in client.get("/fr/").text
    with django_capture_on_commit_callbacks(execute=True):
        item.body_fr = "Deuxième actualité, corrigée"
        item.save()
    assert "Deuxième actualité, corrigée" in client.get("/fr/").text  # the news' markup is kept per version
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert "Deuxième actualité" not in client.get("/fr/").text


def test_every_page_but_production_names_its_environment(client, settings):
    assert "Environnement de démonstration" in client.get("/fr/").text
    settings.PORTAL_ENVIRONMENT = "qualification"
    assert "Qualification environment" in client.get("/en/").text
    settings.PORTAL_ENVIRONMENT = "production"
    page = client.get("/fr/").text
    assert "Environnement de" not in page
    assert "fr-notice" not in page


def test_unpublished_and_future_news_stay_hidden(client):
    NewsFactory(body_fr="Brouillon", is_published=False)
    NewsFactory(body_fr="Demain", published_on=timezone.localdate() + datetime.timedelta(days=1))
    page = client.get("/fr/").text
    assert "Brouillon" not in page
    assert "Demain" not in page
    assert "Aucune actualité trouvée." in page


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fr",
            (
                "Vous êtes nouveau sur Chorus Pro ?",
                "Adresse électronique de connexion",
                "Numéro de SIRET",
                "Valider",
                "Je n'ai pas de numéro de SIRET",
                "Créer votre compte",
            ),
        ),
        (
            "en",
            (
                "New on Chorus Pro?",
                "Login email address",
                "SIRET number",
                "Validate",
                "I don't have SIRET number",
                "Create your account",
            ),
        ),
    ],
)
def test_new_on_chorus_pro_block_has_step_one_in_it(client, lang, texts):
    """Seeds 000/001: the login email and SIRET fields are in the home page's block itself."""
    page = html.unescape(client.get(f"/{lang}/").content.decode())
    block = page[page.index('id="new-title"') : page.index('id="search-title"')]
    for text in texts:
        assert text in block, text
    assert f'action="/{lang}/signup/"' in block
    assert 'name="email"' in block and 'name="siret"' in block and 'id="new-email"' in block
    assert f'href="/{lang}/signup/?without_siret=1"' in block
    assert f'href="/{lang}/compte/creer/"' in block  # "Créer votre compte": the account-first signup


def test_the_block_posts_to_step_one_without_javascript(client):
    structure = StructureFactory(identifier="51010091000015")  # already in the portal: no SIRENE call
    client.get("/fr/")  # the CSRF cookie, as a browser would have it
    response = client.post("/fr/signup/", {"email": "nouveau@example.fr", "siret": structure.identifier})
    assert response.status_code == 302 and response.headers["Location"] == "/fr/signup/information/"
    step_two = client.get(response.headers["Location"]).content.decode()
    assert "nouveau@example.fr" in step_two


def test_a_mistake_in_the_block_is_said_on_step_one(client):
    response = client.post("/en/signup/", {"email": "not-an-address", "siret": "123"})
    page = html.unescape(response.content.decode())
    assert 'value="not-an-address"' in page and "SIRET" in page
    assert "Enter a valid email address." in page
