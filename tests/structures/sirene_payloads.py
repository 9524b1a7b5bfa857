"""Bodies of API Sirene 3.11 and API Recherche d'entreprises, in the shapes of reference/sirene.md §1.7 and §2."""

import copy

INSEE_OPEN = {
    "header": {"statut": 200, "message": "OK"},
    "etablissement": {
        "siren": "265701342",
        "nic": "00148",
        "siret": "26570134200148",
        "statutDiffusionEtablissement": "O",
        "dateCreationEtablissement": "2004-02-01",
        "etablissementSiege": True,
        "nombrePeriodesEtablissement": 3,
        "uniteLegale": {
            "etatAdministratifUniteLegale": "A",
            "statutDiffusionUniteLegale": "O",
            "denominationUniteLegale": "CENTRE COMMUNAL D'ACTION SOCIALE",
            "sigleUniteLegale": "CCAS",
            "nomUniteLegale": None,
            "prenom1UniteLegale": None,
            "categorieJuridiqueUniteLegale": "7361",
            "nicSiegeUniteLegale": "00148",
        },
        "adresseEtablissement": {
            "complementAdresseEtablissement": "22-24",
            "numeroVoieEtablissement": "22",
            "indiceRepetitionEtablissement": None,
            "dernierNumeroVoieEtablissement": None,
            "typeVoieEtablissement": "RUE",
            "libelleVoieEtablissement": "DU WAD BILLY",
            "codePostalEtablissement": "57000",
            "libelleCommuneEtablissement": "METZ",
            "libelleCommuneEtrangerEtablissement": None,
            "distributionSpecialeEtablissement": None,
            "codeCommuneEtablissement": "57463",
            "codeCedexEtablissement": None,
            "libelleCedexEtablissement": None,
            "codePaysEtrangerEtablissement": None,
            "libellePaysEtrangerEtablissement": None,
        },
        "adresse2Etablissement": {"complementAdresse2Etablissement": None},
        "periodesEtablissement": [
            {
                "dateFin": None,
                "dateDebut": "2008-01-01",
                "etatAdministratifEtablissement": "A",
                "enseigne1Etablissement": None,
                "denominationUsuelleEtablissement": None,
                "activitePrincipaleEtablissement": "88.99B",
            },
            {"dateFin": "2007-12-31", "dateDebut": "2004-12-25", "etatAdministratifEtablissement": "A"},
        ],
    },
}


def insee_closed():
    payload = copy.deepcopy(INSEE_OPEN)
    payload["etablissement"]["periodesEtablissement"][0]["etatAdministratifEtablissement"] = "F"
    return payload


INSEE_NON_DIFFUSIBLE = {
    "header": {"statut": 200, "message": "OK"},
    "etablissement": {
        "siren": "123456782",
        "nic": "00010",
        "siret": "12345678200010",
        "statutDiffusionEtablissement": "P",
        "etablissementSiege": True,
        "uniteLegale": {
            "statutDiffusionUniteLegale": "P",
            "etatAdministratifUniteLegale": "A",
            "categorieJuridiqueUniteLegale": "1000",
            "denominationUniteLegale": None,
            "nomUniteLegale": "[ND]",
            "nomUsageUniteLegale": "[ND]",
            "prenom1UniteLegale": "[ND]",
            "prenomUsuelUniteLegale": "[ND]",
            "pseudonymeUniteLegale": "[ND]",
            "sexeUniteLegale": "[ND]",
        },
        "adresseEtablissement": {
            "numeroVoieEtablissement": "[ND]",
            "typeVoieEtablissement": "[ND]",
            "libelleVoieEtablissement": "[ND]",
            "complementAdresseEtablissement": "[ND]",
            "codePostalEtablissement": "[ND]",
            "codeCommuneEtablissement": "44109",
            "libelleCommuneEtablissement": "NANTES",
            "coordonneeLambertAbscisseEtablissement": "[ND]",
        },
        "periodesEtablissement": [
            {"dateFin": None, "dateDebut": "2023-03-13", "etatAdministratifEtablissement": "A"}
        ],
    },
}

INSEE_NOT_FOUND = {"header": {"statut": 404, "message": "Aucun élément trouvé pour le siret 26570134200148"}}

SIEGE = {
    "siret": "26570134200148",
    "est_siege": True,
    "etat_administratif": "A",
    "numero_voie": "22",
    "indice_repetition": None,
    "dernier_numero_voie": None,
    "type_voie": "RUE",
    "libelle_voie": "DU WAD BILLY",
    "complement_adresse": "22-24",
    "code_postal": "57000",
    "commune": "57463",
    "libelle_commune": "METZ",
    "distribution_speciale": None,
    "adresse": "22-24 22 RUE DU WAD BILLY 57000 METZ",
    "liste_enseignes": None,
    "nom_commercial": None,
    "statut_diffusion_etablissement": "O",
    "date_fermeture": None,
}

RECHERCHE_OPEN = {
    "results": [
        {
            "siren": "265701342",
            "nom_complet": "CENTRE COMMUNAL D'ACTION SOCIALE (CCAS)",
            "nom_raison_sociale": "CENTRE COMMUNAL D'ACTION SOCIALE",
            "sigle": "CCAS",
            "etat_administratif": "A",
            "statut_diffusion": "O",
            "siege": SIEGE,
            "matching_etablissements": [
                {
                    "siret": "26570134200148",
                    "est_siege": True,
                    "etat_administratif": "A",
                    "adresse": "22-24 22 RUE DU WAD BILLY 57000 METZ",
                    "code_postal": "57000",
                    "commune": "57463",
                    "libelle_commune": "METZ",
                    "liste_enseignes": None,
                    "date_fermeture": None,
                    "statut_diffusion_etablissement": "O",
                }
            ],
        }
    ],
    "total_results": 1,
    "page": 1,
    "per_page": 10,
    "total_pages": 1,
}


def recherche_secondary():
    """A secondary establishment: only its one-line address, and an enseigne."""
    payload = copy.deepcopy(RECHERCHE_OPEN)
    payload["results"][0]["matching_etablissements"] = [
        {
            "siret": "26570134200155",
            "est_siege": False,
            "etat_administratif": "A",
            "adresse": "3 RUE DES JARDINS 57000 METZ",
            "code_postal": "57000",
            "commune": "57463",
            "libelle_commune": "METZ",
            "liste_enseignes": ["MAISON DES SOLIDARITES"],
            "statut_diffusion_etablissement": "O",
        }
    ]
    return payload


def recherche_closed():
    payload = copy.deepcopy(RECHERCHE_OPEN)
    payload["results"][0]["siege"]["etat_administratif"] = "F"
    payload["results"][0]["siege"]["date_fermeture"] = "2024-01-31"
    return payload


RECHERCHE_NON_DIFFUSIBLE = {
    "results": [
        {
            "siren": "123456782",
            "nom_complet": "[NON-DIFFUSIBLE]",
            "nom_raison_sociale": "[NON-DIFFUSIBLE]",
            "sigle": "[NON-DIFFUSIBLE]",
            "etat_administratif": "A",
            "statut_diffusion": "P",
            "siege": {
                "siret": "12345678200010",
                "est_siege": True,
                "etat_administratif": "A",
                "numero_voie": "[NON-DIFFUSIBLE]",
                "type_voie": "[NON-DIFFUSIBLE]",
                "libelle_voie": "[NON-DIFFUSIBLE]",
                "complement_adresse": "[NON-DIFFUSIBLE]",
                "code_postal": "[NON-DIFFUSIBLE]",
                "commune": "44109",
                "libelle_commune": "NANTES",
                "adresse": "[NON-DIFFUSIBLE]",
                "statut_diffusion_etablissement": "P",
            },
            "matching_etablissements": [],
        }
    ],
    "total_results": 1,
}

RECHERCHE_EMPTY = {"results": [], "total_results": 0, "page": 1, "per_page": 10, "total_pages": 0}
