"""Text features for threading: tokens, bigrams, entity keys, URL and title fingerprints.

Pure functions with no state, shared by the engine (engine.py) and the namer
(threads/naming.py) so both see the same vocabulary and the same document-frequency keys.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from urllib.parse import parse_qsl, urlencode, urlsplit

from briefing.models import ENTITY_TYPES

# Compact English stop list plus headline filler ("says", "video") that never names a story,
# weekdays (time is a feature of its own) and "per cent": summaries share them across topics.
# Filipino function words too: outlets in Manila title items in Tagalog, and without them
# every Tagalog item looked like every other ("ng · sa · mga").
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each few for from further get gets got had hadn has hasn have haven having he
    her here hers herself him himself his how i if in into is isn it its itself just let ll me
    more most much must mustn my myself no nor not now of off on once only or other ought our ours
    ourselves out over own re same say says said she should shouldn so some such than that the
    their theirs them themselves then there these they this those through to too under until up
    upon us ve very via was wasn we were weren what when where which while who whom why will with
    won would wouldn you your yours yourself yourselves s t d m o y vs amp
    new news update updates updated video videos photo photos watch live report reports exclusive
    breaking today week year day one two first last just according
    monday tuesday wednesday thursday friday saturday sunday per cent percent
    ang ng sa mga na at si ni kay ay para ito nang hindi may pa po ko mo siya sila kami tayo
    natin namin niya nila din rin lang naman kung dahil pero ba daw raw pag nga yung iyan iyon
    dito doon ni nina kina ng mga pang mag nag
    """.split()
)

ENTITY_PREFIX = "@"  # df keys for entities, so "@place:idlib" never collides with a word
SALIENT = frozenset({"person", "org", "place"})  # types that single out one event; NORP does not

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_WORD = re.compile(r"[^\W_]+(?:['.&][^\W_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"'s?$")


def _fold(text: str) -> str:
    """Lowercase and strip accents so "Erdoğan" and "Erdogan" share a token."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Light plural stripping only: heavier stemmers merge names ("Mars" -> "mar")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """(key, surface) for each word in order; stop words come back as ("", surface).

    Keeping the gaps lets bigrams respect stop words ("deal *in* Sochi" is not "deal sochi").
    """
    return [_word(m.group()) for m in _WORD.finditer(text.translate(_APOSTROPHES))]


@functools.lru_cache(maxsize=1 << 16)
def _word(matched: str) -> tuple[str, str]:
    """One matched word's (key, surface): a pure function of the word, so memoised (a feed's
    vocabulary repeats; folding every word again was most of the thread stage's time)."""
    surface = _POSSESSIVE.sub("", matched)
    raw = _fold(surface).replace(".", "").replace("&", "").replace("'", "")
    if raw == "us" and surface.replace(".", "") == "US":
        raw = "usa"  # the country, not the pronoun
    if len(raw) < 2 or raw in STOP_WORDS or (raw.isdigit() and len(raw) < 3):
        return ("", surface)
    return (stem(raw), surface)


def tokens(text: str) -> list[str]:
    return [k for k, _ in words(text) if k]


def bigrams(seq: list[tuple[str, str]]) -> list[str]:
    """Adjacent content-word pairs, "sochi deal"; pairs across a stop word are skipped."""
    return [f"{a} {b}" for (a, _), (b, _) in pairwise(seq) if a and b]


def entity_key(key: str) -> str:
    return ENTITY_PREFIX + key


def salient(keys: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Folded names of the people, organisations and places among entity keys ("type:name"),
    and their word runs (name_runs). Types are dropped: the recogniser's type for one name
    can differ between stories ("Rotterdam" as a person)."""
    names = frozenset(
        _bare(name) for kind, _, name in (k.partition(":") for k in keys) if kind in SALIENT
    ) - {""}
    return names, frozenset(r for n in names for r in name_runs(n))


def _bare(name: str) -> str:
    """ "person:kazuo ueda" -> "kazuo ueda": the store's keys carry the type once more."""
    kind, sep, rest = name.partition(":")
    return rest if sep and kind.upper() in ENTITY_TYPES else name


def name_runs(name: str) -> Iterator[str]:
    """Every contiguous run of words in a name that is not only stop words ("port of x" ->
    "port", "x", "port of", "of x", "port of x"): "Ueda" or "Rotterdam" then match
    "Kazuo Ueda" or "Port of Rotterdam"."""
    parts = name.split()
    for i in range(len(parts)):
        for j in range(i + 1, len(parts) + 1):
            if any(p not in STOP_WORDS for p in parts[i:j]):
                yield " ".join(parts[i:j])


def bag(keys: list[str]) -> dict[str, float]:
    return {k: float(v) for k, v in Counter(keys).items()}


def normalise_url(link: str) -> str:
    """Same article behind different tracking: drop scheme, www., utm_* params, trailing slash."""
    parts = urlsplit(link.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    path = parts.path.rstrip("/")
    q = urlencode(sorted(query))
    return f"{host}{path}" + (f"?{q}" if q else "")


def title_key(title: str) -> str:
    """Fingerprint for re-published wire copy: content words in order, outlet tails dropped."""
    head = re.split(r"\s+[-|–—]\s+", title)[0]  # "Headline - Reuters" -> "Headline"
    return " ".join(k for k, _ in words(head) if k)
