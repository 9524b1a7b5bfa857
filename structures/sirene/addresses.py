"""Address lines of the SIRENE directory, shared by the stock import and the INSEE backend."""

# INSEE codes of `typeVoieEtablissement` (the stock files and API Sirene), spelled out as on a letter.
STREET_TYPES = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CITE": "CITE",
    "COR": "CORNICHE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "DSC": "DESCENTE",
    "ECA": "ECART",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "GR": "GRANDE RUE",
    "HAM": "HAMEAU",
    "HLE": "HALLE",
    "IMP": "IMPASSE",
    "LD": "LIEU DIT",
    "LOT": "LOTISSEMENT",
    "MAR": "MARCHE",
    "MTE": "MONTEE",
    "PAS": "PASSAGE",
    "PL": "PLACE",
    "PLN": "PLAINE",
    "PLT": "PLATEAU",
    "PRO": "PROMENADE",
    "PRV": "PARVIS",
    "QUA": "QUARTIER",
    "QUAI": "QUAI",
    "RES": "RESIDENCE",
    "RLE": "RUELLE",
    "ROC": "ROCADE",
    "RPT": "ROND POINT",
    "RTE": "ROUTE",
    "RUE": "RUE",
    "SEN": "SENTIER",
    "SQ": "SQUARE",
    "TPL": "TERRE PLEIN",
    "TRA": "TRAVERSE",
    "VLA": "VILLA",
    "VLGE": "VILLAGE",
}

# Values INSEE and the Recherche d'entreprises API put in the fields they mask for a non-diffusible unit.
MASKED_VALUES = frozenset({"[ND]", "[NON-DIFFUSIBLE]"})


def is_masked(value) -> bool:
    return isinstance(value, str) and value.strip() in MASKED_VALUES


def clean(value) -> str:
    """A field of the directory as text: empty for null and for masked values."""
    if value is None or is_masked(value):
        return ""
    return " ".join(str(value).split())


def street_line(number, repetition, last_number, street_type, street_name) -> str:
    """ "19", "B", "", "RUE", "DE COTTE" → "19 B RUE DE COTTE"; "10", "", "12", "AV", "FOCH" → "10-12 AVENUE FOCH"."""
    number, last_number = clean(number), clean(last_number)
    if number and last_number and last_number != number:
        number = f"{number}-{last_number}"
    street_type = clean(street_type)
    street_type = STREET_TYPES.get(street_type.upper(), street_type)
    parts = (number, clean(repetition), street_type, clean(street_name))
    return " ".join(part for part in parts if part)
