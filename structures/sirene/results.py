from dataclasses import dataclass, replace
from enum import StrEnum


class SireneStatus(StrEnum):
    FOUND = "FOUND"
    UNKNOWN = "UNKNOWN"
    CLOSED = "CLOSED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class SireneResult:
    """The answer of the SIRENE directory for one SIRET.

    FOUND and CLOSED carry the establishment's public data; for a non-diffusible establishment the fields INSEE
    masks (address lines, postal code, city; the names of a natural person) are empty and ``is_non_diffusible``
    is set. UNKNOWN and UNAVAILABLE carry only the SIRET. ``backend`` names the backend that answered.
    """

    status: SireneStatus
    siret: str = ""
    corporate_name: str = ""
    label: str = ""
    address: str = ""
    address_complement_1: str = ""
    address_complement_2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    is_head_office: bool = False
    is_active: bool = False
    is_non_diffusible: bool = False
    backend: str = ""

    @property
    def is_found(self) -> bool:
        return self.status in (SireneStatus.FOUND, SireneStatus.CLOSED)

    def masked(self) -> "SireneResult":
        """The same result without what a non-diffusible establishment does not publish."""
        if not self.is_non_diffusible:
            return self
        return replace(
            self, address="", address_complement_1="", address_complement_2="", postal_code="", city=""
        )


def found(siret: str, *, is_active: bool, backend: str, **fields) -> SireneResult:
    status = SireneStatus.FOUND if is_active else SireneStatus.CLOSED
    return SireneResult(status=status, siret=siret, is_active=is_active, backend=backend, **fields).masked()


def unknown(siret: str, backend: str) -> SireneResult:
    return SireneResult(status=SireneStatus.UNKNOWN, siret=siret, backend=backend)


def unavailable(siret: str, backend: str = "") -> SireneResult:
    return SireneResult(status=SireneStatus.UNAVAILABLE, siret=siret, backend=backend)
