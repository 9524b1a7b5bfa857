# Provisional: replaced by the sirene branch
"""SIRENE lookup (contract: ``lookup_siret(siret) -> SireneResult``). This stand-in never reaches the directory:
it answers UNAVAILABLE, so forms fall back to manual entry."""

import enum
from dataclasses import dataclass


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
    is_active: bool = True
    is_non_diffusible: bool = False


def lookup_siret(siret: str) -> SireneResult:
    return SireneResult(status=SireneStatus.UNAVAILABLE, siret=siret)
