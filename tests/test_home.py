import datetime

from django.utils import timezone

from tests.factories import NewsFactory


def test_root_redirects_by_browser_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").headers["Location"] == "/fr/"


def test_home_shows_published_news_in_the_page_language(client):
    NewsFactory(body_fr="Chorus Pro remplace Chorus Factures", body_en="Chorus Pro replaces Chorus Factures")
    assert "Chorus Pro remplace Chorus Factures" in client.get("/fr/").text
    assert "Chorus Pro replaces Chorus Factures" in client.get("/en/").text


def test_home_page_queries_are_bounded(client, django_assert_max_num_queries):
    NewsFactory.create_batch(8)
    with django_assert_max_num_queries(2):
        assert client.get("/fr/").status_code == 200


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
