# Provisional: replaced by the sirene branch
"""SIRENE lookup, smallest version of the contract (``lookup_siret`` → ``SireneResult``).

Backends from ``SIRENE_BACKENDS`` (tried in order, an unavailable answer moves to the next one):
``local`` knows only the companies of the official guides until the establishments table exists;
``insee`` asks API Sirene 3.11 (``INSEE_SIRENE_API_URL``, key ``INSEE_SIRENE_API_KEY``).
"""

import enum
import logging
from dataclasses import dataclass

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


class SireneStatus(enum.StrEnum):
    FOUND = "FOUND"
    UNKNOWN = "UNKNOWN"
    CLOSED = "CLOSED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class SireneResult:
    status: SireneStatus
    siret: str = ""
    corporate_name: str = ""
    label: str = ""
    address: str = ""
    address_complement_1: str = ""
    address_complement_2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FR"
    is_head_office: bool = False
    is_active: bool = False
    is_non_diffusible: bool = False


_SEED_COMPANIES = {
    "83128597800019": ("LE CHAT QUI PECHE", "19 B RUE DE COTTE", "75012", "PARIS 12"),
    "81880244900038": ("SNC AU PIED DE COCHON LGE", "59 RUE DE TOCQUEVILLE", "75017", "PARIS 17"),
    "51010091000015": ("M A SOCIETE", "19 BOULEVARD MALESHERBES", "75008", "PARIS 8"),
}
_MASKED = {"[ND]", "[NON-DIFFUSIBLE]"}


def lookup_siret(siret: str) -> SireneResult:
    backends = getattr(settings, "SIRENE_BACKENDS", ["local"])
    if isinstance(backends, str):
        backends = [name.strip() for name in backends.split(",") if name.strip()]
    for backend in backends:
        result = {"local": _local, "insee": _insee}.get(backend, _unavailable)(siret)
        if result.status != SireneStatus.UNAVAILABLE:
            return result
    return SireneResult(status=SireneStatus.UNAVAILABLE, siret=siret)


def _unavailable(siret):
    return SireneResult(status=SireneStatus.UNAVAILABLE, siret=siret)


def _local(siret):
    company = _SEED_COMPANIES.get(siret)
    if company is None:
        return _unavailable(siret)
    name, address, postal_code, city = company
    return SireneResult(
        status=SireneStatus.FOUND,
        siret=siret,
        corporate_name=name,
        address=address,
        postal_code=postal_code,
        city=city,
        is_head_office=True,
        is_active=True,
    )


def _insee(siret):
    base = getattr(settings, "INSEE_SIRENE_API_URL", "https://api.insee.fr/api-sirene/3.11").rstrip("/")
    try:
        response = requests.get(
            f"{base}/siret/{siret}",
            headers={
                "X-INSEE-Api-Key-Integration": getattr(settings, "INSEE_SIRENE_API_KEY", ""),
                "Accept": "application/json",
            },
            timeout=getattr(settings, "SIRENE_TIMEOUT", 3),
        )
    except requests.RequestException:
        logger.warning("INSEE Sirene unreachable for %s", siret)
        return _unavailable(siret)
    if response.status_code in (301, 404):
        return SireneResult(status=SireneStatus.UNKNOWN, siret=siret)
    if response.status_code != 200:
        return _unavailable(siret)
    try:
        etablissement = response.json()["etablissement"]
        unit = etablissement.get("uniteLegale") or {}
        address = etablissement.get("adresseEtablissement") or {}
        periods = etablissement.get("periodesEtablissement") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return _unavailable(siret)

    def clean(value):
        value = "" if value is None else str(value).strip()
        return "" if value in _MASKED else value

    current = next((period for period in periods if not period.get("dateFin")), periods[0] if periods else {})
    is_active = current.get("etatAdministratifEtablissement") == "A"
    if not is_active:
        return SireneResult(status=SireneStatus.CLOSED, siret=siret)
    name = clean(unit.get("denominationUniteLegale")) or " ".join(
        part for part in (clean(unit.get("prenom1UniteLegale")), clean(unit.get("nomUniteLegale"))) if part
    )
    street = " ".join(
        part
        for part in (
            clean(address.get("numeroVoieEtablissement")),
            clean(address.get("indiceRepetitionEtablissement")),
            clean(address.get("typeVoieEtablissement")),
            clean(address.get("libelleVoieEtablissement")),
        )
        if part
    )
    return SireneResult(
        status=SireneStatus.FOUND,
        siret=siret,
        corporate_name=name,
        label=clean(current.get("enseigne1Etablissement") or current.get("denominationUsuelleEtablissement")),
        address=street,
        address_complement_1=clean(address.get("complementAdresseEtablissement")),
        postal_code=clean(address.get("codeCedexEtablissement") or address.get("codePostalEtablissement")),
        city=clean(address.get("libelleCedexEtablissement") or address.get("libelleCommuneEtablissement")),
        country="FR",
        is_head_office=bool(etablissement.get("etablissementSiege")),
        is_active=True,
        is_non_diffusible=etablissement.get("statutDiffusionEtablissement") == "P",
    )
