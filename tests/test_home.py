from tests.factories import NewsFactory


def test_root_redirects_by_browser_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").headers["Location"] == "/fr/"


def test_home_shows_published_news_in_the_page_language(client):
    NewsFactory(body_fr="Chorus Pro remplace Chorus Factures", body_en="Chorus Pro replaces Chorus Factures")
    assert "Chorus Pro remplace Chorus Factures" in client.get("/fr/").text
    assert "Chorus Pro replaces Chorus Factures" in client.get("/en/").text
