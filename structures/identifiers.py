# Provisional: replaced by the sirene branch
"""Structure identifier validation (contract: ``validate_identifier`` and ``IDENTIFIER_FORMAT_HINTS``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siret as stdnum_siret

from structures.models import IdentifierType

IDENTIFIER_FORMAT_HINTS = {
    IdentifierType.SIRET: _("14 digits, e.g. 831 285 978 00019."),
    IdentifierType.UE_HORS_FRANCE: _("Intra-community VAT number, 1 to 18 characters."),
    IdentifierType.HORS_UE: _(
        "Country code followed by the first characters of the name, 3 to 18 characters."
    ),
    IdentifierType.RIDET: _("9 or 10 characters."),
    IdentifierType.TAHITI: _("9 characters."),
    IdentifierType.PARTICULIER: _("Last name and first name."),
    IdentifierType.AUTRE: _("No registry number yet."),
}


def validate_identifier(identifier_type: str, value: str) -> str:
    """Return the normalised identifier, or raise ValidationError with a translated message."""
    value = "".join((value or "").split()) if identifier_type != IdentifierType.PARTICULIER else value.strip()
    if identifier_type == IdentifierType.SIRET:
        if not value.isdigit() or len(value) != 14 or not stdnum_siret.is_valid(value):
            raise ValidationError(_("Enter a valid SIRET number: 14 digits."), code="invalid_siret")
        return value
    if not value or len(value) > 80:
        raise ValidationError(_("Enter the identifier of the structure."), code="invalid")
    return value.upper() if identifier_type != IdentifierType.PARTICULIER else value
