"""Fixtures of the accounts tests.

The SIRENE directory's answers are arranged through its public contract: a real HTTP server on loopback
speaking INSEE's API Sirene 3.11 (pytest-httpserver), selected with ``SIRENE_BACKENDS=["insee"]``.
"""

import re

import pytest

from tests.factories import UserFactory

NEW_PASSWORD = "Ornithorynque-Bleu-47"


@pytest.fixture
def pending_user():
    """An account created by a signup, waiting for its activation (no usable password yet)."""
    return UserFactory(
        not_activated=True,
        email="stephanie.dupond@aife.fr",
        contact_email="compta@aife.fr",
        first_name="Stéphanie",
        last_name="DUPOND",
        language="fr",
    )


def link_from(message, name):
    """The path of the link named ``name`` (activation/reset) in an email's text part."""
    match = re.search(r"https?://[^/\s]+(/\S*/" + name + r"/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def activation_path(message):
    return link_from(message, "activation")


def reset_path(message):
    return link_from(message, "password/reset")


API_PATH = "/api-sirene/3.11"

# The companies of the official guides (seeds 000 and 004), with their public data.
LE_CHAT_QUI_PECHE = "83128597800019"
AU_PIED_DE_COCHON = "81880244900038"
M_A_SOCIETE = "51010091000015"
# Fictitious, Luhn-valid SIRETs of the same test range (SIREN 831285978) for the other outcomes.
CLOSED_SIRET = "83128597800027"
UNKNOWN_SIRET = "83128597800035"
UNAVAILABLE_SIRET = "83128597800043"
NON_DIFFUSIBLE_SIRET = "83128597800050"


@pytest.fixture(autouse=True)
def _captcha_test_mode(monkeypatch):
    # django-simple-captcha reads its test mode once, at import: switch it on for these tests whatever the env.
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


class SireneDirectory:
    def __init__(self, httpserver):
        self.httpserver = httpserver

    def _expect(self, siret):
        return self.httpserver.expect_request(f"{API_PATH}/siret/{siret}")

    def found(
        self,
        siret,
        name,
        *,
        number="",
        repetition=None,
        street_type="",
        street="",
        postal_code="",
        city="",
        non_diffusible=False,
    ):
        masked = "[ND]" if non_diffusible else None
        self._expect(siret).respond_with_json(
            {
                "header": {"statut": 200, "message": "OK"},
                "etablissement": {
                    "siren": siret[:9],
                    "nic": siret[9:],
                    "siret": siret,
                    "statutDiffusionEtablissement": "P" if non_diffusible else "O",
                    "etablissementSiege": True,
                    "uniteLegale": {
                        "etatAdministratifUniteLegale": "A",
                        "statutDiffusionUniteLegale": "P" if non_diffusible else "O",
                        "categorieJuridiqueUniteLegale": "5499",
                        "denominationUniteLegale": name,
                    },
                    "adresseEtablissement": {
                        "complementAdresseEtablissement": masked,
                        "numeroVoieEtablissement": masked or number or None,
                        "indiceRepetitionEtablissement": masked or repetition,
                        "typeVoieEtablissement": masked or street_type or None,
                        "libelleVoieEtablissement": masked or street or None,
                        "codePostalEtablissement": masked or postal_code or None,
                        "libelleCommuneEtablissement": city or None,
                        "codeCedexEtablissement": None,
                        "libelleCedexEtablissement": None,
                    },
                    "periodesEtablissement": [
                        {"dateFin": None, "dateDebut": "2017-07-01", "etatAdministratifEtablissement": "A"}
                    ],
                },
            }
        )

    def le_chat_qui_peche(self):
        self.found(
            LE_CHAT_QUI_PECHE,
            "LE CHAT QUI PECHE",
            number="19",
            repetition="B",
            street_type="RUE",
            street="DE COTTE",
            postal_code="75012",
            city="PARIS 12",
        )

    def au_pied_de_cochon(self):
        self.found(
            AU_PIED_DE_COCHON,
            "SNC AU PIED DE COCHON LGE",
            number="59",
            street_type="RUE",
            street="DE TOCQUEVILLE",
            postal_code="75017",
            city="PARIS 17",
        )

    def closed(self, siret=CLOSED_SIRET):
        self._expect(siret).respond_with_json(
            {
                "header": {"statut": 200, "message": "OK"},
                "etablissement": {
                    "siret": siret,
                    "statutDiffusionEtablissement": "O",
                    "uniteLegale": {"denominationUniteLegale": "ENTREPRISE FERMEE"},
                    "adresseEtablissement": {},
                    "periodesEtablissement": [
                        {"dateFin": None, "dateDebut": "2020-01-01", "etatAdministratifEtablissement": "F"}
                    ],
                },
            }
        )

    def unknown(self, siret=UNKNOWN_SIRET):
        self._expect(siret).respond_with_json(
            {"header": {"statut": 404, "message": f"Aucun élément trouvé pour le siret {siret}"}}, status=404
        )

    def unavailable(self, siret=UNAVAILABLE_SIRET):
        self._expect(siret).respond_with_data("Service Unavailable", status=503)

    @property
    def requests(self):
        return [request for request, _response in self.httpserver.log]


@pytest.fixture
def sirene(httpserver, settings):
    settings.SIRENE_BACKENDS = ["insee"]
    settings.INSEE_SIRENE_API_URL = httpserver.url_for(API_PATH)
    settings.INSEE_SIRENE_API_KEY = "test-key"
    settings.SIRENE_TIMEOUT = 2
    return SireneDirectory(httpserver)
