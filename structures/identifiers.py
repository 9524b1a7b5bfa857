# Provisional: replaced by the sirene branch
"""Validation and normalisation of structure identifiers (DESIGN §1.2), smallest version of the contract."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import siret

from structures.models import IdentifierType

IDENTIFIER_FORMAT_HINTS = {
    IdentifierType.SIRET: _("14 digits (SIREN 9 digits + NIC 5 digits), spaces allowed."),
    IdentifierType.UE_HORS_FRANCE: _("Intra-community VAT number: 1 to 18 characters, e.g. DE136695976."),
    IdentifierType.HORS_UE: _(
        "ISO country code followed by the first 16 characters of the corporate name: 3 to 18 characters."
    ),
    IdentifierType.RIDET: _("RIDET (New Caledonia): 9 or 10 characters."),
    IdentifierType.TAHITI: _("TAHITI number (French Polynesia): 9 characters."),
    IdentifierType.PARTICULIER: _("Your last name followed by your first name."),
    IdentifierType.AUTRE: _("The name of the structure being registered."),
}

_ALNUM = re.compile(r"^[A-Z0-9]+$")
_FREE_TEXT = re.compile(r"^[^\x00-\x1f\x7f<>]+$")


def validate_identifier(identifier_type: str, value: str) -> str:
    """Return the normalised identifier, or raise ``ValidationError`` with a message saying what is wrong."""
    value = (value or "").strip()
    if identifier_type == IdentifierType.SIRET:
        compact = re.sub(r"[\s.]", "", value)
        if not compact.isdigit() or not compact.isascii():
            raise ValidationError(_("A SIRET number contains digits only."), code="siret_characters")
        if len(compact) != 14:
            raise ValidationError(
                _("A SIRET number has 14 digits (you typed %(count)s)."),
                code="siret_length",
                params={"count": len(compact)},
            )
        if not siret.is_valid(compact):
            raise ValidationError(
                _("This SIRET number is not valid: check its digits (wrong check digit)."),
                code="siret_checksum",
            )
        return compact
    if identifier_type == IdentifierType.UE_HORS_FRANCE:
        try:
            compact = vat.compact(value)
        except StdnumValidationError:
            compact = value.upper()
        if not 1 <= len(compact) <= 18 or not _ALNUM.match(compact):
            raise ValidationError(
                _("An intra-community VAT number has 1 to 18 letters and digits."), code="vat_format"
            )
        try:
            return vat.validate(compact)
        except StdnumValidationError:
            raise ValidationError(
                _("This intra-community VAT number is not valid."), code="vat_invalid"
            ) from None
    if identifier_type == IdentifierType.HORS_UE:
        compact = value.upper()
        if (
            not 3 <= len(compact) <= 18
            or not re.match(r"^[A-Z]{2}", compact)
            or not _FREE_TEXT.match(compact)
        ):
            raise ValidationError(
                _(
                    "Expected: the ISO country code and the first 16 characters of the name (3 to 18 characters)."
                ),
                code="hors_ue_format",
            )
        return compact
    if identifier_type == IdentifierType.RIDET:
        compact = re.sub(r"[\s.]", "", value).upper()
        if len(compact) not in (9, 10) or not _ALNUM.match(compact):
            raise ValidationError(_("A RIDET has 9 or 10 letters and digits."), code="ridet_format")
        return compact
    if identifier_type == IdentifierType.TAHITI:
        compact = re.sub(r"[\s.]", "", value).upper()
        if len(compact) != 9 or not _ALNUM.match(compact):
            raise ValidationError(_("A TAHITI number has 9 letters and digits."), code="tahiti_format")
        return compact
    if identifier_type in (IdentifierType.PARTICULIER, IdentifierType.AUTRE):
        compact = " ".join(value.split())
        if not 1 <= len(compact) <= 80 or not _FREE_TEXT.match(compact):
            raise ValidationError(
                _("Enter 1 to 80 characters, without control characters nor < >."), code="free_text_format"
            )
        return compact
    raise ValidationError(_("Choose an identifier type."), code="unknown_type")
