import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from structures.identifiers import IDENTIFIER_FORMAT_HINTS, validate_identifier
from structures.models import IdentifierType
from tests.factories import luhn_complete

LA_POSTE_SIREN = "356000000"


def error_of(identifier_type, value):
    with pytest.raises(ValidationError) as caught:
        validate_identifier(identifier_type, value)
    return caught.value


# A SIRET as INSEE builds it: a Luhn-valid SIREN, a NIC, and a last digit that makes all 14 digits Luhn-valid.
sirets = (
    st.tuples(st.text("0123456789", min_size=8, max_size=8), st.text("0123456789", min_size=4, max_size=4))
    .map(lambda parts: luhn_complete(luhn_complete(parts[0]) + parts[1]))
    .filter(lambda siret: not siret.startswith(LA_POSTE_SIREN))
)


@settings(max_examples=300)
@given(sirets)
def test_every_luhn_valid_siret_is_accepted(siret):
    assert validate_identifier("SIRET", siret) == siret


@settings(max_examples=300)
@given(sirets, st.integers(0, 13), st.integers(1, 9))
def test_every_one_digit_change_is_refused(siret, position, shift):
    changed = siret[:position] + str((int(siret[position]) + shift) % 10) + siret[position + 1 :]
    # La Poste's establishments follow another rule (digit sum a multiple of 5): tested on their own below.
    assume(not changed.startswith(LA_POSTE_SIREN))
    assert error_of("SIRET", changed).code == "checksum"


@pytest.mark.parametrize(
    "typed",
    [
        "83128597800019",
        "831 285 978 00019",
        "831.285.978.00019",
        " 831 285 978\u00a000019 ",
        "831\u202f285 978 000 19",
    ],
)
def test_spaces_and_dots_in_a_siret_are_removed(typed):
    assert validate_identifier("SIRET", typed) == "83128597800019"


@pytest.mark.parametrize("siret", ["35600000000048", "35600000009075", "35600000049837", "35600000000015"])
def test_la_poste_sirets_follow_the_digit_sum_rule(siret):
    assert validate_identifier("SIRET", siret) == siret


def test_la_poste_siret_whose_digit_sum_is_not_a_multiple_of_5_is_refused():
    assert error_of("SIRET", "35600000049838").code == "checksum"


@pytest.mark.parametrize(
    ("typed", "code", "french"),
    [
        ("8312859780001", "length", "Le numéro SIRET compte 14 chiffres ; vous en avez saisi 13."),
        ("831285978000190", "length", "Le numéro SIRET compte 14 chiffres ; vous en avez saisi 15."),
        ("831-285-978-00019", "characters", "Le numéro SIRET ne peut contenir que des chiffres"),
        ("83128597800O19", "characters", "Le numéro SIRET ne peut contenir que des chiffres"),
        ("83128597800018", "checksum", "Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse."),
    ],
)
def test_siret_messages_say_what_is_wrong_in_the_page_language(typed, code, french):
    error = error_of("SIRET", typed)
    assert error.code == code
    with translation.override("fr"):
        assert french in error.messages[0]
    with translation.override("en"):
        assert "SIRET" in error.messages[0]
        assert error.messages[0] != french


@pytest.mark.parametrize(
    ("identifier_type", "typed", "expected"),
    [
        ("UE_HORS_FRANCE", "de 136 695 976", "DE136695976"),
        ("UE_HORS_FRANCE", "BE0403019261", "BE0403019261"),
        ("UE_HORS_FRANCE", "EL094259216", "EL094259216"),
        ("HORS_UE", "ch nestle", "CH NESTLE"),
        ("HORS_UE", "USACME CORPORATION", "USACME CORPORATION"),
        ("HORS_UE", "FRWFSOCIETE WALLIS", "FRWFSOCIETE WALLIS"),
        ("RIDET", "1234567.001", "1234567001"),
        ("RIDET", "123456 001", "123456001"),
        ("TAHITI", "a12345001", "A12345001"),
        ("TAHITI", "123456 001", "123456001"),
        ("PARTICULIER", "  Dupond   Stéphanie ", "Dupond Stéphanie"),
        ("PARTICULIER", "N'Diaye Jean-Pierre", "N'Diaye Jean-Pierre"),
        ("AUTRE", "Les Ateliers du Port", "Les Ateliers du Port"),
    ],
)
def test_other_identifiers_are_normalised(identifier_type, typed, expected):
    assert validate_identifier(identifier_type, typed) == expected


@pytest.mark.parametrize(
    ("identifier_type", "typed", "code"),
    [
        ("UE_HORS_FRANCE", "DE136695978", "checksum"),
        ("UE_HORS_FRANCE", "DE13669597", "length"),
        ("UE_HORS_FRANCE", "FR39265701342", "country"),
        ("UE_HORS_FRANCE", "US123456789", "country"),
        ("UE_HORS_FRANCE", "DE13669597€", "characters"),
        ("UE_HORS_FRANCE", "DE1234567890123456789", "length"),
        ("HORS_UE", "CH", "length"),
        ("HORS_UE", "CHNESTLE SA VEVEY SUISSE", "length"),
        ("HORS_UE", "DEACME", "country"),
        ("HORS_UE", "QQACME", "country"),
        ("HORS_UE", "CH<ACME>", "characters"),
        ("RIDET", "12345678", "length"),
        ("RIDET", "12345678901", "length"),
        ("RIDET", "1234567A01", "characters"),
        ("TAHITI", "A1234500", "length"),
        ("TAHITI", "AB2345001", "characters"),
        ("PARTICULIER", "Dupond 2", "characters"),
        ("PARTICULIER", "D", "length"),
        ("AUTRE", "ab", "length"),
        ("AUTRE", "a_b<c>", "characters"),
        ("SIRET", "   ", "required"),
        ("NOT_A_TYPE", "1", "type"),
    ],
)
def test_other_identifiers_say_what_is_wrong(identifier_type, typed, code):
    error = error_of(identifier_type, typed)
    assert error.code == code
    with translation.override("fr"):
        assert error.messages[0]


def test_every_identifier_type_has_a_translated_format_hint():
    assert set(IDENTIFIER_FORMAT_HINTS) == set(IdentifierType)
    with translation.override("fr"):
        french = {str(hint) for hint in IDENTIFIER_FORMAT_HINTS.values()}
    with translation.override("en"):
        english = {str(hint) for hint in IDENTIFIER_FORMAT_HINTS.values()}
    assert len(french) == len(IdentifierType)
    assert french.isdisjoint(english)
