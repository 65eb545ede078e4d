"""Countries: ISO 3166-1 alpha-2 out, from a code (alpha-2, alpha-3, NUTS prefix) or a name.

A compact hand-kept table: the EU and EEA, the United Kingdom, Switzerland, the United States
and Canada, and the other countries that job boards and tender feeds most often name, with
their English, French and native names. French overseas departments and collectivities are
not countries here: ``GP``/``GLP`` or "Guadeloupe" is France (the place resolver gives the
department). US states and Canadian provinces are only recognised after a city ("Chicago, IL").
"""

from __future__ import annotations

from functools import cache

from aggregator.normalize.folding import fold

# alpha-2, alpha-3, names: English first, then French (the label shown), native, variants.
_COUNTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("AT", "AUT", ("Austria", "Autriche", "Österreich")),
    ("BE", "BEL", ("Belgium", "Belgique", "België", "Belgien")),
    ("BG", "BGR", ("Bulgaria", "Bulgarie", "България")),
    ("HR", "HRV", ("Croatia", "Croatie", "Hrvatska")),
    ("CY", "CYP", ("Cyprus", "Chypre")),
    ("CZ", "CZE", ("Czechia", "Tchéquie", "Czech Republic", "République tchèque", "Česko")),
    ("DK", "DNK", ("Denmark", "Danemark", "Danmark")),
    ("EE", "EST", ("Estonia", "Estonie", "Eesti")),
    ("FI", "FIN", ("Finland", "Finlande", "Suomi")),
    ("FR", "FRA", ("France", "France", "République française", "French Republic")),
    ("DE", "DEU", ("Germany", "Allemagne", "Deutschland")),
    ("GR", "GRC", ("Greece", "Grèce", "Ελλάδα", "Hellas")),
    ("HU", "HUN", ("Hungary", "Hongrie", "Magyarország")),
    ("IE", "IRL", ("Ireland", "Irlande", "Éire", "Republic of Ireland")),
    ("IT", "ITA", ("Italy", "Italie", "Italia")),
    ("LV", "LVA", ("Latvia", "Lettonie", "Latvija")),
    ("LT", "LTU", ("Lithuania", "Lituanie", "Lietuva")),
    ("LU", "LUX", ("Luxembourg", "Luxembourg", "Lëtzebuerg", "Luxemburg")),
    ("MT", "MLT", ("Malta", "Malte")),
    ("NL", "NLD", ("Netherlands", "Pays-Bas", "Nederland", "The Netherlands", "Holland")),
    ("PL", "POL", ("Poland", "Pologne", "Polska")),
    ("PT", "PRT", ("Portugal",)),
    ("RO", "ROU", ("Romania", "Roumanie", "România")),
    ("SK", "SVK", ("Slovakia", "Slovaquie", "Slovensko")),
    ("SI", "SVN", ("Slovenia", "Slovénie", "Slovenija")),
    ("ES", "ESP", ("Spain", "Espagne", "España")),
    ("SE", "SWE", ("Sweden", "Suède", "Sverige")),
    ("IS", "ISL", ("Iceland", "Islande", "Ísland")),
    ("LI", "LIE", ("Liechtenstein",)),
    ("NO", "NOR", ("Norway", "Norvège", "Norge")),
    ("GB", "GBR", ("United Kingdom", "Royaume-Uni", "UK", "U.K.", "Great Britain",
                   "Grande-Bretagne", "Britain", "England", "Angleterre", "Scotland", "Écosse",
                   "Wales", "Pays de Galles", "Northern Ireland", "Irlande du Nord")),
    ("CH", "CHE", ("Switzerland", "Suisse", "Schweiz", "Svizzera")),
    ("US", "USA", ("United States", "États-Unis", "USA", "U.S.A.", "U.S.", "US",
                   "United States of America", "Etats-Unis d'Amérique", "America")),
    ("CA", "CAN", ("Canada",)),
    ("MC", "MCO", ("Monaco",)),
    ("AD", "AND", ("Andorra", "Andorre")),
    ("SM", "SMR", ("San Marino", "Saint-Marin")),
    ("VA", "VAT", ("Vatican", "Holy See", "Saint-Siège")),
    ("AL", "ALB", ("Albania", "Albanie", "Shqipëria")),
    ("BA", "BIH", ("Bosnia and Herzegovina", "Bosnie-Herzégovine")),
    ("ME", "MNE", ("Montenegro", "Monténégro")),
    ("MK", "MKD", ("North Macedonia", "Macédoine du Nord")),
    ("RS", "SRB", ("Serbia", "Serbie", "Srbija")),
    ("XK", "XKX", ("Kosovo",)),
    ("TR", "TUR", ("Turkey", "Turquie", "Türkiye")),
    ("UA", "UKR", ("Ukraine",)),
    ("MD", "MDA", ("Moldova", "Moldavie")),
    ("RU", "RUS", ("Russia", "Russie", "Russian Federation")),
    ("MA", "MAR", ("Morocco", "Maroc")),
    ("DZ", "DZA", ("Algeria", "Algérie")),
    ("TN", "TUN", ("Tunisia", "Tunisie")),
    ("SN", "SEN", ("Senegal", "Sénégal")),
    ("CI", "CIV", ("Côte d'Ivoire", "Ivory Coast")),
    ("CM", "CMR", ("Cameroon", "Cameroun")),
    ("MG", "MDG", ("Madagascar",)),
    ("MU", "MUS", ("Mauritius", "Île Maurice")),
    ("EG", "EGY", ("Egypt", "Égypte")),
    ("NG", "NGA", ("Nigeria",)),
    ("KE", "KEN", ("Kenya",)),
    ("ZA", "ZAF", ("South Africa", "Afrique du Sud")),
    ("IL", "ISR", ("Israel", "Israël")),
    ("AE", "ARE", ("United Arab Emirates", "Émirats arabes unis", "UAE")),
    ("SA", "SAU", ("Saudi Arabia", "Arabie saoudite")),
    ("QA", "QAT", ("Qatar",)),
    ("IN", "IND", ("India", "Inde")),
    ("CN", "CHN", ("China", "Chine")),
    ("HK", "HKG", ("Hong Kong",)),
    ("TW", "TWN", ("Taiwan", "Taïwan")),
    ("JP", "JPN", ("Japan", "Japon")),
    ("KR", "KOR", ("South Korea", "Corée du Sud", "Republic of Korea")),
    ("SG", "SGP", ("Singapore", "Singapour")),
    ("MY", "MYS", ("Malaysia", "Malaisie")),
    ("ID", "IDN", ("Indonesia", "Indonésie")),
    ("TH", "THA", ("Thailand", "Thaïlande")),
    ("VN", "VNM", ("Vietnam", "Viêt Nam", "Viet Nam")),
    ("PH", "PHL", ("Philippines",)),
    ("AU", "AUS", ("Australia", "Australie")),
    ("NZ", "NZL", ("New Zealand", "Nouvelle-Zélande")),
    ("BR", "BRA", ("Brazil", "Brésil", "Brasil")),
    ("MX", "MEX", ("Mexico", "Mexique", "México")),
    ("AR", "ARG", ("Argentina", "Argentine")),
    ("CL", "CHL", ("Chile", "Chili")),
    ("CO", "COL", ("Colombia", "Colombie")),
    ("PE", "PER", ("Peru", "Pérou")),
)

# ISO codes of French overseas departments and collectivities -> INSEE department code.
FRENCH_OVERSEAS = {
    "GP": "971", "GLP": "971", "MQ": "972", "MTQ": "972", "GF": "973", "GUF": "973",
    "RE": "974", "REU": "974", "YT": "976", "MYT": "976", "PM": "975", "SPM": "975",
    "BL": "977", "BLM": "977", "MF": "978", "MAF": "978", "TF": "984", "ATF": "984",
    "WF": "986", "WLF": "986", "PF": "987", "PYF": "987", "NC": "988", "NCL": "988",
}

# NUTS country prefixes (NUTS 2021) that differ from ISO alpha-2.
NUTS_COUNTRY = {"EL": "GR", "UK": "GB"}
NUTS_COUNTRIES = frozenset({
    "AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR",
    "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "ME", "MK", "MT", "NL", "NO", "PL", "PT",
    "RO", "RS", "SE", "SI", "SK", "TR", "UK",
})

_US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}
_CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    alpha2 = {a2: a2 for a2, _, _ in _COUNTRIES}
    alpha3 = {a3: a2 for a2, a3, _ in _COUNTRIES}
    names: dict[str, str] = {}
    for a2, _, labels in _COUNTRIES:
        for label in labels:
            names.setdefault(fold(label), a2)
    subdivisions: dict[str, str] = {}
    for country, table in (("US", _US_STATES), ("CA", _CA_PROVINCES)):
        for name in table.values():
            subdivisions.setdefault(fold(name), country)
    return alpha2, alpha3, names, subdivisions


def country_name(code: str) -> str | None:
    """The French name of a country code (``"BE"`` → ``"Belgique"``), for labels."""
    for a2, _, labels in _COUNTRIES:
        if a2 == code:
            return labels[1] if len(labels) > 1 else labels[0]
    return None


def resolve_country(value: str | None, *, codes: bool = True,
                    upper_codes: bool = False) -> str | None:
    """ISO alpha-2 of a country code or name, or None when it is not one.

    Accepts alpha-2 (any case), alpha-3 (``FRA``, ``BEL``), NUTS prefixes (``EL``, ``UK``)
    and names in English, French or the country's language. French overseas codes give
    ``FR``. With ``codes=False`` bare codes are refused and only names count (used for the
    last part of "City, XX" strings, where ``CA`` is California, not Canada). With
    ``upper_codes=True`` codes and short names (``US``, ``UAE``) count only in capitals, so
    that in a place string the communes ``Lux`` and ``Us`` stay communes.
    """
    if not value:
        return None
    text = value.strip()
    alpha2, alpha3, names, _ = _tables()
    if upper_codes and len(text) <= 4 and not text.isupper():
        return None
    if codes and 2 <= len(text) <= 3 and text.isalpha():
        upper = text.upper()
        if len(upper) == 2:
            if upper in alpha2:
                return upper
            if upper in NUTS_COUNTRY:
                return NUTS_COUNTRY[upper]
        elif upper in alpha3:
            return alpha3[upper]
        if upper in FRENCH_OVERSEAS:
            return "FR"
    key = fold(text)
    if key.startswith("the "):
        key = key[4:]
    return names.get(key)


def resolve_subdivision(value: str) -> str | None:
    """The country of a US state or Canadian province, by name or postal abbreviation."""
    text = value.strip()
    if len(text) == 2 and text.isupper():
        if text in _US_STATES:
            return "US"
        if text in _CA_PROVINCES:
            return "CA"
        return None
    return _tables()[3].get(fold(text))
