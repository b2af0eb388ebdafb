"""What kind of thing a name is, beyond what the model guesses: word lists of news style.

- Diseases and their variants ("Covid-19", "coronavirus", "the Delta variant") are neither
  people, places nor organisations: they are not entities in briefing and are dropped.
- Apps and platforms ("Instagram", "TikTok") are companies, never people or places.
- Known armed groups and political parties, and names ending in an organisation's word
  ("Free Syrian Army", "Liberal Party"), are organisations, never people.
- Country names that are one country ("US", "America", "United States"; "UK", "Britain") share
  one identity (``ALIASES``, applied by ``gazetteer.name_key``), so they are one entity.

All lists hold folded names (``gazetteer.fold``, dots removed). They name kinds of things that
every news day has, not any benchmark's documents.
"""

from __future__ import annotations

DISEASES = frozenset(
    "covid covid-19 covid19 coronavirus coronaviruses sars-cov-2 sars mers ebola zika hiv aids "
    "hiv/aids measles malaria polio cholera dengue tuberculosis monkeypox mpox influenza flu "
    "omicron h1n1 h5n1 legionnaires".split()
)
# A name with one of these words in it is a disease or about one: "Covid-19 Pandemic".
DISEASE_WORDS = frozenset("covid covid-19 covid19 coronavirus sars-cov-2 pandemic".split())
# Written after a name, these make it a disease's: "the Delta variant", "Ebola outbreak".
DISEASE_AFTER = frozenset("variant variants strain strains".split())
# Greek letters name a virus's variants: in a story about a disease, "Delta" is one.
VARIANTS = frozenset("alpha beta gamma delta epsilon eta iota kappa lambda mu omicron".split())
# Common nouns that a Title Case headline capitalises ("Man charged", "Government to act").
COMMON = frozenset("man woman men women boy girl government police tier games icu".split())
# Names of events the model takes for people ("Brexit").
EVENTS = frozenset("brexit megxit olympic olympics paralympics wimbledon".split())
# The last word of a competition's name: "Fed Cup", "PGA Tour", "Hong Kong Open".
EVENT_WORDS = frozenset(
    "cup tour open championship championships games prix series trophy olympics bowl "
    "league marathon".split()
)
# The last word of a building or venue: "Manchester Arena" is a place, not a person.
VENUE_WORDS = frozenset(
    "arena stadium airport station square bridge hospital park palace tower prison".split()
)
# Places of the news that the gazetteer (countries, regions, towns) does not hold.
LANDMARKS = frozenset(
    [
        "wall street", "silicon valley", "west bank", "gaza strip", "capitol hill",
        "downing street", "golan heights", "middle east", "bay area",
    ]
)  # fmt: skip
# Apps, platforms and companies whose names the model takes for people or places.
PLATFORMS = frozenset(
    "facebook instagram twitter youtube tiktok whatsapp snapchat linkedin wechat weibo reddit "
    "telegram netflix spotify uber airbnb google microsoft pinterest pfizer moderna "
    "astrazeneca biontech sinovac novavax".split()
)
ARMED_AND_PARTIES = frozenset(
    [
        *"taliban hamas hezbollah hizbollah isis isil daesh hts ypg pkk sdf farc eta ira anc "
        "bjp ldp cdu csu spd afd snp dup ukip likud fidesz pti kmt dpp".split(),
        "al-qaeda", "al qaeda", "al-shabaab", "al shabaab", "islamic state", "boko haram",
        "hayat tahrir al-sham", "tahrir al-sham", "wagner group", "proud boys",
        "muslim brotherhood", "islamic jihad", "sinn fein", "plaid cymru", "janjaweed",
    ]
)  # fmt: skip
# The last word of an organisation's name: "Free Syrian Army", "Liberal Party".
ORG_WORDS = frozenset(
    "party army front brigade brigades militia movement forces association federation "
    "council committee commission ministry department agency institute university college "
    "company corporation corp inc ltd plc group organisation organization foundation "
    "authority board court police club fund society".split()
)
ALIASES = {
    **dict.fromkeys(
        ["us", "u s", "usa", "america", "united states of america"], "united states"
    ),
    **dict.fromkeys(
        ["uk", "britain", "great britain",
         "united kingdom of great britain and northern ireland"], "united kingdom"
    ),
    "eu": "european union",
    "olympic": "olympics",
    "olympic games": "olympics",
    "democrats": "democratic",
    "democrat": "democratic",
    "gop": "republican",
    "un": "united nations",
    "uae": "united arab emirates",
    "la": "los angeles",
    "calif": "california",
    "nsw": "new south wales",
    "la county": "los angeles county",
    "nz": "new zealand",
    "russian federation": "russia",
    "czechia": "czech republic",
    "dprk": "north korea",
    "republic of korea": "south korea",
    "people's republic of china": "china",
}  # fmt: skip


def is_disease(folded: str) -> bool:
    return folded in DISEASES or any(w in DISEASE_WORDS for w in folded.split())


def singular(folded: str) -> str:
    """ "americans" -> "american", "californians" -> "californian": a people and its adjective
    are one identity. Only one-word names in -ians, -eans, -cans ("Evans" stays)."""
    if " " not in folded and len(folded) > 5 and folded.endswith(("ians", "eans", "cans")):
        return folded[:-1]
    return folded


def org_by_name(folded: str) -> bool:
    """A known armed group or party, or a name that ends like an organisation's."""
    words = folded.split()
    return folded in ARMED_AND_PARTIES or (len(words) > 1 and words[-1] in ORG_WORDS)
