"""Validation and normalisation of structure identifiers (DESIGN §1.2).

``validate_identifier(identifier_type, value)`` returns the value in the form stored in ``Structure.identifier``
or raises ``ValidationError`` with a translated message saying what is wrong: the characters, the length or the
check digit. python-stdnum does the checksums where it knows the scheme (SIRET with La Poste's rule, EU VAT); the
other types are checked against the formats published by the AIFE (lengths and characters only).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siret as fr_siret

from structures.models import IdentifierType

# Separators a person may type inside a number: spaces (including the non-breaking ones of copy-paste) and dots.
_SEPARATORS = re.compile(r"[\s.\u00a0\u202f]+")

# ISO 3166-1 alpha-2 codes (current ones).
_ISO_COUNTRY_CODES_TEXT = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT "
    "BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH "
    "ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT "
    "HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS "
    "LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI "
    "NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG "
    "SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG "
    "UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
)
ISO_COUNTRY_CODES = frozenset(_ISO_COUNTRY_CODES_TEXT.split())
# EU member states (ISO codes; Greece is GR here, EL in VAT numbers) and France's outermost regions, which are EU
# territory with SIRET numbers.
_EU_COUNTRY_CODES_TEXT = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK GF GP MQ RE YT MF"
)
EU_COUNTRY_CODES = frozenset(_EU_COUNTRY_CODES_TEXT.split())
NON_EU_COUNTRY_CODES = ISO_COUNTRY_CODES - EU_COUNTRY_CODES
# Wallis-et-Futuna: "FRWF" followed by the first 14 characters of the corporate name (arrêté of 9 Dec 2016, 5°).
WALLIS_AND_FUTUNA_PREFIX = "FRWF"

_NAME_CHARACTERS = re.compile(r"^[0-9A-ZÀ-ÖØ-Ý' &,./()+-]+$")
_PERSON_CHARACTERS = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$")
_REFERENCE_CHARACTERS = re.compile(r"^[\w' &,./()+-]+$")

IDENTIFIER_FORMAT_HINTS = {
    IdentifierType.SIRET: _("14 digits, for example 831 285 978 00019 (spaces and dots are accepted)."),
    IdentifierType.UE_HORS_FRANCE: _(
        "Intra-community VAT number: country code followed by the number, 18 characters at most, "
        "for example DE136695976."
    ),
    IdentifierType.HORS_UE: _(
        "ISO country code followed by the first 16 characters of the corporate name, 3 to 18 characters, "
        "for example CHNESTLE."
    ),
    IdentifierType.RIDET: _("RIDET number of New Caledonia: 9 or 10 digits, for example 1234567001."),
    IdentifierType.TAHITI: _("TAHITI number of French Polynesia: 9 characters, for example A12345001."),
    IdentifierType.PARTICULIER: _(
        "Your last name followed by your first name, for example DUPOND Stéphanie."
    ),
    IdentifierType.AUTRE: _(
        "No registration number yet: the name under which the structure is being registered, "
        "3 to 80 characters."
    ),
}


def compact_siret(value: str) -> str:
    """The SIRET as typed, without its spaces and dots ("831 285 978 00019" → "83128597800019")."""
    return _SEPARATORS.sub("", value or "")


def validate_siret(value: str) -> str:
    number = compact_siret(value)
    if not number.isascii() or not number.isdigit():
        raise ValidationError(
            _("The SIRET number may only contain digits (spaces and dots are accepted)."), code="characters"
        )
    if len(number) != 14:
        raise ValidationError(
            ngettext_lazy(
                "The SIRET number has 14 digits; you typed %(count)d digit.",
                "The SIRET number has 14 digits; you typed %(count)d digits.",
                "count",
            ),
            code="length",
            params={"count": len(number)},
        )
    try:
        return fr_siret.validate(number)
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This SIRET number does not exist: its check digit is wrong. Please check for a typing error."),
            code="checksum",
        ) from None


def validate_eu_vat(value: str) -> str:
    number = re.sub(r"[\s.\-/\u00a0\u202f]+", "", value or "").upper()
    if not number.isascii() or not number.isalnum():
        raise ValidationError(
            _("The VAT number may only contain letters and digits (spaces, dots and hyphens are accepted)."),
            code="characters",
        )
    if not 1 <= len(number) <= 18:
        raise ValidationError(_("The VAT number has 18 characters at most."), code="length")
    if number[:2] == "FR":
        raise ValidationError(
            _("A French VAT number is not accepted here: choose the SIRET identifier type."), code="country"
        )
    try:
        return eu_vat.validate(number)
    except stdnum_errors.InvalidComponent:
        raise ValidationError(
            _(
                "The VAT number must start with the code of a European Union member state, for example DE or IT."
            ),
            code="country",
        ) from None
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("The VAT number does not have the length used by its country."), code="length"
        ) from None
    except stdnum_errors.InvalidFormat:
        raise ValidationError(
            _("The VAT number does not have the format used by its country."), code="characters"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This VAT number does not exist: its check digits are wrong. Please check for a typing error."),
            code="checksum",
        ) from None


def validate_outside_eu(value: str) -> str:
    number = " ".join((value or "").upper().split())
    if not _NAME_CHARACTERS.match(number or " "):
        raise ValidationError(
            _("This identifier may only contain letters, digits, spaces and the signs - ' & , . / ( ) +."),
            code="characters",
        )
    if not 3 <= len(number) <= 18:
        raise ValidationError(
            ngettext_lazy(
                "This identifier has 3 to 18 characters; you typed %(count)d character.",
                "This identifier has 3 to 18 characters; you typed %(count)d characters.",
                "count",
            ),
            code="length",
            params={"count": len(number)},
        )
    if number.startswith(WALLIS_AND_FUTUNA_PREFIX) or number[:2] in NON_EU_COUNTRY_CODES:
        return number
    raise ValidationError(
        _(
            "This identifier must start with the ISO code of a country outside the European Union, for example CH."
        ),
        code="country",
    )


def validate_ridet(value: str) -> str:
    number = compact_siret(value)
    if not number.isascii() or not number.isdigit():
        raise ValidationError(
            _("The RIDET number may only contain digits (spaces and dots are accepted)."), code="characters"
        )
    if len(number) not in (9, 10):
        raise ValidationError(
            ngettext_lazy(
                "The RIDET number has 9 or 10 digits; you typed %(count)d digit.",
                "The RIDET number has 9 or 10 digits; you typed %(count)d digits.",
                "count",
            ),
            code="length",
            params={"count": len(number)},
        )
    return number


def validate_tahiti(value: str) -> str:
    number = compact_siret(value).upper()
    if not re.fullmatch(r"[0-9A-Z][0-9]*", number or "-"):
        raise ValidationError(
            _("The TAHITI number is a letter or a digit followed by digits (spaces and dots are accepted)."),
            code="characters",
        )
    if len(number) != 9:
        raise ValidationError(
            ngettext_lazy(
                "The TAHITI number has 9 characters; you typed %(count)d character.",
                "The TAHITI number has 9 characters; you typed %(count)d characters.",
                "count",
            ),
            code="length",
            params={"count": len(number)},
        )
    return number


def validate_person_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not _PERSON_CHARACTERS.match(name):
        raise ValidationError(
            _("A name may only contain letters, spaces, hyphens and apostrophes."), code="characters"
        )
    if not 2 <= len(name) <= 80:
        raise ValidationError(_("The name has 2 to 80 characters."), code="length")
    return name


def validate_pending_registration(value: str) -> str:
    reference = " ".join((value or "").split())
    if not _REFERENCE_CHARACTERS.match(reference or "-") or "_" in reference:
        raise ValidationError(
            _("This identifier may only contain letters, digits, spaces and the signs - ' & , . / ( ) +."),
            code="characters",
        )
    if not 3 <= len(reference) <= 80:
        raise ValidationError(_("This identifier has 3 to 80 characters."), code="length")
    return reference


_VALIDATORS = {
    IdentifierType.SIRET: validate_siret,
    IdentifierType.UE_HORS_FRANCE: validate_eu_vat,
    IdentifierType.HORS_UE: validate_outside_eu,
    IdentifierType.RIDET: validate_ridet,
    IdentifierType.TAHITI: validate_tahiti,
    IdentifierType.PARTICULIER: validate_person_name,
    IdentifierType.AUTRE: validate_pending_registration,
}


def validate_identifier(identifier_type: str, value: str) -> str:
    """The normalised identifier, or ``ValidationError`` (translated message; code characters/length/checksum…)."""
    try:
        validator = _VALIDATORS[IdentifierType(identifier_type)]
    except ValueError:
        raise ValidationError(_("Unknown identifier type."), code="type") from None
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Please enter the identifier."), code="required")
    return validator(value)
