"""One identity per name across the store: short forms that stand for one longer name.

Within a story, entities.rules resolves a surname to the story's full name and an acronym to the
expansion the story brackets. Across stories, after each annotation run:

- a surname alone ("Trump", "Newsom", whatever type the model gave it) becomes the full name
  ("Donald Trump") when one person with that surname has at least ``SHARE`` of the mentions
  of all people with it; a country, or a place not mostly voted a person, keeps its name
  ("Jordan", "Georgia"), and a surname two people share evenly stays as it is ("Smith");
- an acronym alone ("DNC") becomes the organisation, place or event whose initials it spells
  ("Democratic National Convention"), under the same dominance rule.

The store's mentions are re-keyed (their surface names stay), so the panel, the entity filter,
thread naming and dossiers see one entity. A re-annotation (rules version bump) starts again
from what the model found, so a better rule can re-derive everything.
"""

from __future__ import annotations

from collections import defaultdict

from briefing.entities import gazetteer
from briefing.entities.gazetteer import name_key, shouting, unparticle
from briefing.models import PERSON
from briefing.store import Store

SHARE = 0.75  # of the mentions of the candidates, what one must have to take the short form
MIN_MENTIONS = 2  # a candidate seen once does not take anything


def initials(name: str) -> set[str]:
    """The acronyms a name may be written as: initials of every word, or of its capitalised
    words ("Department of Health": DOH, DH)."""
    words = name.replace("-", " ").split()
    every = "".join(w[0] for w in words if w[:1].isalpha()).lower()
    capital = "".join(w[0] for w in words if w[:1].isupper()).lower()
    return {a for a in (every, capital) if len(a) >= 2}


def resolve_short_forms(store: Store, keys: set[str]) -> set[str]:
    """Re-key surnames and acronyms among (or standing for) ``keys``; the keys touched."""
    named = store.named_entities(MIN_MENTIONS)
    surnames: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    acronyms: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for key, name, etype, mentions in named:
        if etype == PERSON:
            surnames[unparticle(key.split()[-1])].append((mentions, key, etype))
        else:
            for short in initials(name):
                acronyms[short].append((mentions, key, etype))
    touched_long = [(k, n) for k, n, _, _ in named if k in keys]
    shorts = {k for k in keys if k and " " not in k}
    shorts |= {k.split()[-1] for k, _ in touched_long} & set(surnames)
    shorts |= {a for _, n in touched_long for a in initials(n)} & set(acronyms)
    votes = store.entity_votes(shorts)
    names = store.entity_names(votes)
    gaz = gazetteer.load()
    changes: dict[str, tuple[str, str]] = {}
    for short, tally in votes.items():
        people = tally[PERSON] / max(1, sum(tally.values()))
        if gaz.is_country(short):
            continue
        if shouting(names.get(short, "")):
            found = acronyms.get(short, [])
        elif gaz.get(short) is None or people > 0.5:
            found = surnames.get(short, [])
        else:
            continue
        target = _dominant(found)
        if target is not None and name_key(target[0]) != short:
            changes[short] = target
    return store.rekey_everywhere(changes) if changes else set()


def _dominant(found: list[tuple[int, str, str]]) -> tuple[str, str] | None:
    """(key, type) of the candidate with most mentions, if it has enough of them."""
    if not found:
        return None
    mentions, key, etype = max(found)
    if mentions >= MIN_MENTIONS and mentions >= SHARE * sum(n for n, _, _ in found):
        return key, etype
    return None
