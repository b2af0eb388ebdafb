"""Names that are one identity: the folded forms ``gazetteer.name_key`` maps to one key.

Country names that are one country ("US", "U.S.", "America", "United States"; "UK",
"Britain", "United Kingdom"), common short names of places and bodies ("L.A.", "EU", "UN"),
and a people's plural and adjective ("Americans", "American"). Folded names (case, diacritics
and dots removed), as ``gazetteer.fold`` writes them. No imports: the gazetteer needs it.
"""

from __future__ import annotations

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


def singular(folded: str) -> str:
    """ "americans" -> "american", "californians" -> "californian": a people and its adjective
    are one identity. Only one-word names in -ians, -eans, -cans ("Evans" stays)."""
    if " " not in folded and len(folded) > 5 and folded.endswith(("ians", "eans", "cans")):
        return folded[:-1]
    return folded
