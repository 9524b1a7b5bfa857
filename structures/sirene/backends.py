"""The backends of the SIRET lookup: the local directory table, API Sirene (INSEE), API Recherche d'entreprises.

Each backend answers a ``SireneResult``; it answers UNAVAILABLE (and logs why) whenever it cannot tell: timeout,
connection error, 5xx, 429, a key or subscription problem, a body that is not the expected JSON.

``deadline`` (a ``time.monotonic()`` value) is when the whole lookup must have answered: an HTTP backend stops
waiting then, however the server spreads its answer over time (a body sent a byte at a time included).
"""

import contextlib
import email.utils
import json
import logging
import time
import uuid

import requests
import urllib3
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from structures.models import Establishment, LegalUnit
from structures.sirene.addresses import clean, is_masked, street_line
from structures.sirene.results import SireneResult, found, unavailable, unknown

logger = logging.getLogger(__name__)


class LocalBackend:
    """The establishments table of the portal's database (filled by `import_sirene`, or the demo extract)."""

    name = "local"

    # One primary-key read (with the legal unit's name): the lookup sits on the signup's critical path.
    QUERY = (
        "SELECT e.label, e.address, e.address_complement_1, e.address_complement_2, e.postal_code, e.city, "  # noqa: S608 (table names from the models)
        "e.country, e.is_head_office, e.is_active, e.is_non_diffusible, u.corporate_name, u.is_non_diffusible "
        f"FROM {Establishment._meta.db_table} e LEFT JOIN {LegalUnit._meta.db_table} u ON u.siren = e.siren "
        "WHERE e.siret = %s"
    )

    def lookup(self, siret: str, *, deadline: float | None = None) -> SireneResult:
        with connection.cursor() as cursor:
            cursor.execute(self.QUERY, [siret])
            row = cursor.fetchone()
        if row is None:
            # An empty directory cannot say that a SIRET does not exist: let the next backend answer.
            if not Establishment.objects.exists():
                return unavailable(siret, self.name)
            return unknown(siret, self.name)
        (
            label,
            address,
            complement_1,
            complement_2,
            postal_code,
            city,
            country,
            head,
            active,
            hidden,
            name,
            unit_hidden,
        ) = row
        return found(
            siret,
            is_active=bool(active),
            backend=self.name,
            corporate_name=name or "",
            label=label,
            address=address,
            address_complement_1=complement_1,
            address_complement_2=complement_2,
            postal_code=postal_code,
            city=city,
            country=country,
            is_head_office=bool(head),
            is_non_diffusible=bool(hidden) or bool(unit_hidden and not name),
        )


class SharedRateLimit:
    """At most ``limit`` calls in any sliding 60-second window, shared by every process through the cache.

    ``limit`` slots; slot *i* may be taken once per minute window (an atomic ``cache.add`` of a key naming the
    window: the database cache inserts it, its primary key refuses a second one), and only 60 s or more after it
    was last taken (the time is stored in the previous window's key). Every slot is thus used at most once in
    any 60 s, so there are at most ``limit`` calls in any 60 s.
    """

    def __init__(self, key: str, limit: int):
        self.key = key
        self.limit = limit

    def acquire(self) -> bool:
        now = time.time()
        window = int(now // 60)
        keys = {
            (slot, offset): f"{self.key}:{window - offset}:{slot}"
            for slot in range(self.limit)
            for offset in (0, 1)
        }
        taken = cache.get_many(keys.values())
        for slot in range(self.limit):
            if keys[slot, 0] in taken:
                continue
            previous = taken.get(keys[slot, 1])
            if previous is not None and now - previous[0] < 60:
                continue
            if cache.add(keys[slot, 0], (now, uuid.uuid4().hex), timeout=150):
                return True
        return False


class AnswerTooSlow(Exception):
    pass


class AnswerTooLarge(Exception):
    pass


class HttpBackend:
    name = ""
    MAX_BODY_BYTES = 1_000_000  # an establishment's JSON is a few kilobytes

    def __init__(self):
        self.blocked_key = f"sirene:{self.name}:blocked-until"

    def lookup(self, siret: str, *, deadline: float | None = None) -> SireneResult:
        if deadline is None:
            deadline = time.monotonic() + settings.SIRENE_TIMEOUT
        blocked_until = cache.get(self.blocked_key)
        if blocked_until and blocked_until > time.time():
            return unavailable(siret, self.name)
        if not self.may_call():
            logger.warning("SIRENE %s: rate limit reached, lookup of %s skipped", self.name, siret)
            return unavailable(siret, self.name)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            logger.warning("SIRENE %s: no time left for %s", self.name, siret)
            return unavailable(siret, self.name)
        try:
            with requests.get(
                self.url(siret),
                headers=self.headers(),
                timeout=(remaining, remaining),
                allow_redirects=False,
                stream=True,
            ) as response:
                body = self.read_body(response, deadline)
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
            AnswerTooSlow,
            AnswerTooLarge,
        ) as error:
            logger.warning("SIRENE %s: %s for %s", self.name, type(error).__name__, siret)
            return unavailable(siret, self.name)
        if response.status_code == 429:
            self.block(response.headers.get("Retry-After"))
            logger.warning("SIRENE %s: 429 Too Many Requests", self.name)
            return unavailable(siret, self.name)
        if response.status_code in (301, 404):
            return unknown(siret, self.name)
        if response.status_code == 400:
            logger.warning("SIRENE %s: 400 for %s: %s", self.name, siret, body[:200].decode(errors="replace"))
            return unknown(siret, self.name)
        if response.status_code in (401, 403):
            logger.error("SIRENE %s: %s, check the API key and subscription", self.name, response.status_code)
            return unavailable(siret, self.name)
        if response.status_code != 200:
            logger.warning("SIRENE %s: HTTP %s for %s", self.name, response.status_code, siret)
            return unavailable(siret, self.name)
        try:
            return self.parse(siret, json.loads(body))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            logger.warning("SIRENE %s: unexpected body for %s (%s)", self.name, siret, type(error).__name__)
            return unavailable(siret, self.name)

    def read_body(self, response, deadline: float) -> bytes:
        """The whole body, read before ``deadline``: each read waits at most the time left."""
        chunks, size = [], 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AnswerTooSlow
            sock = getattr(response.raw.connection, "sock", None)
            if sock is not None:
                sock.settimeout(remaining)
            chunk = response.raw.read1(65536, decode_content=True)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.MAX_BODY_BYTES:
                raise AnswerTooLarge
            chunks.append(chunk)

    def block(self, retry_after: str | None):
        """Stop calling the API until the time its `Retry-After` gives (seconds or HTTP date), else one minute."""
        delay = 60.0
        if retry_after:
            retry_after = retry_after.strip()
            if retry_after.isdigit():
                delay = float(retry_after)
            else:
                with contextlib.suppress(TypeError, ValueError):
                    delay = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
        delay = min(max(delay, 1.0), 3600.0)
        cache.set(self.blocked_key, time.time() + delay, timeout=int(delay) + 1)

    def may_call(self) -> bool:
        return True

    def headers(self) -> dict:
        return {"Accept": "application/json", "User-Agent": settings.SIRENE_USER_AGENT}

    def url(self, siret: str) -> str:
        raise NotImplementedError

    def parse(self, siret: str, payload) -> SireneResult:
        raise NotImplementedError


class InseeBackend(HttpBackend):
    """API Sirene 3.11 of INSEE (public plan, API key), 30 requests a minute for the whole portal."""

    name = "insee"

    def lookup(self, siret: str, *, deadline: float | None = None) -> SireneResult:
        if not settings.INSEE_SIRENE_API_KEY:
            logger.error("SIRENE insee: INSEE_SIRENE_API_KEY is not set")
            return unavailable(siret, self.name)
        return super().lookup(siret, deadline=deadline)

    def may_call(self) -> bool:
        return SharedRateLimit("sirene:insee:slot", settings.INSEE_SIRENE_REQUESTS_PER_MINUTE).acquire()

    def url(self, siret):
        return f"{settings.INSEE_SIRENE_API_URL.rstrip('/')}/siret/{siret}"

    def headers(self):
        return {**super().headers(), "X-INSEE-Api-Key-Integration": settings.INSEE_SIRENE_API_KEY}

    def parse(self, siret, payload):
        etablissement = payload["etablissement"]
        if etablissement["siret"] != siret:
            raise ValueError("another SIRET")
        unit = etablissement.get("uniteLegale") or {}
        address = etablissement.get("adresseEtablissement") or {}
        periods = etablissement.get("periodesEtablissement") or [{}]
        period = next((p for p in periods if p.get("dateFin") is None), periods[0])
        masked = etablissement.get("statutDiffusionEtablissement") in ("P", "N") or any(
            is_masked(value) for value in (*address.values(), *unit.values())
        )
        corporate_name = clean(unit.get("denominationUniteLegale"))
        if not corporate_name:
            last_name = clean(unit.get("nomUsageUniteLegale")) or clean(unit.get("nomUniteLegale"))
            first_name = clean(unit.get("prenomUsuelUniteLegale")) or clean(unit.get("prenom1UniteLegale"))
            corporate_name = " ".join(part for part in (first_name, last_name) if part) if last_name else ""
        foreign_city = clean(address.get("libelleCommuneEtrangerEtablissement"))
        cedex = " ".join(
            part
            for part in (
                clean(address.get("codeCedexEtablissement")),
                clean(address.get("libelleCedexEtablissement")),
            )
            if part
        )
        return found(
            siret,
            is_active=period.get("etatAdministratifEtablissement", "A") == "A",
            backend=self.name,
            corporate_name=corporate_name,
            label=clean(period.get("enseigne1Etablissement"))
            or clean(period.get("denominationUsuelleEtablissement")),
            address=street_line(
                address.get("numeroVoieEtablissement"),
                address.get("indiceRepetitionEtablissement"),
                address.get("dernierNumeroVoieEtablissement"),
                address.get("typeVoieEtablissement"),
                address.get("libelleVoieEtablissement"),
            ),
            address_complement_1=clean(address.get("complementAdresseEtablissement")),
            address_complement_2=clean(address.get("distributionSpecialeEtablissement")) or cedex,
            postal_code=clean(address.get("codePostalEtablissement")),
            city=foreign_city or clean(address.get("libelleCommuneEtablissement")),
            country="" if foreign_city or clean(address.get("codePaysEtrangerEtablissement")) else "FR",
            is_head_office=bool(etablissement.get("etablissementSiege")),
            is_non_diffusible=masked,
        )


class RechercheEntreprisesBackend(HttpBackend):
    """API Recherche d'entreprises (annuaire-entreprises.data.gouv.fr), keyless."""

    name = "recherche_entreprises"

    def url(self, siret):
        return f"{settings.RECHERCHE_ENTREPRISES_API_URL.rstrip('/')}/search?q={siret}"

    def parse(self, siret, payload):
        for result in payload["results"]:
            siege = result.get("siege") or {}
            matches = [e for e in result.get("matching_etablissements") or [] if e.get("siret") == siret]
            if siege.get("siret") == siret:
                etablissement = {**(matches[0] if matches else {}), **siege}
            elif matches:
                etablissement = matches[0]
            else:
                continue
            return self._result(siret, result, etablissement)
        return unknown(siret, self.name)

    def _result(self, siret, result, etablissement):
        masked = (
            etablissement.get("statut_diffusion_etablissement") in ("P", "N")
            or any(is_masked(value) for value in etablissement.values())
            or is_masked(result.get("nom_raison_sociale"))
            or is_masked(result.get("nom_complet"))
        )
        postal_code = clean(etablissement.get("code_postal"))
        city = clean(etablissement.get("libelle_commune"))
        if "libelle_voie" in etablissement:
            address = street_line(
                etablissement.get("numero_voie"),
                etablissement.get("indice_repetition"),
                etablissement.get("dernier_numero_voie"),
                etablissement.get("type_voie"),
                etablissement.get("libelle_voie"),
            )
        else:
            # A secondary establishment comes with its address on one line: "12 RUE X 75001 PARIS 1".
            address = clean(etablissement.get("adresse"))
            suffix = " ".join(part for part in (postal_code, city) if part)
            if suffix and address.endswith(suffix):
                address = address[: -len(suffix)].strip()
        enseignes = etablissement.get("liste_enseignes") or []
        label = clean(enseignes[0]) if enseignes else clean(etablissement.get("nom_commercial"))
        foreign_country = clean(etablissement.get("libelle_pays_etranger"))
        return found(
            siret,
            is_active=etablissement.get("etat_administratif", "A") == "A",
            backend=self.name,
            corporate_name=clean(result.get("nom_raison_sociale")) or clean(result.get("nom_complet")),
            label=label,
            address=address,
            address_complement_1=clean(etablissement.get("complement_adresse")),
            address_complement_2=clean(etablissement.get("distribution_speciale")),
            postal_code=postal_code,
            city=clean(etablissement.get("libelle_commune_etranger")) or city,
            country="" if foreign_country else "FR",
            is_head_office=bool(etablissement.get("est_siege")),
            is_non_diffusible=masked,
        )


BACKENDS = {backend.name: backend for backend in (LocalBackend, InseeBackend, RechercheEntreprisesBackend)}
