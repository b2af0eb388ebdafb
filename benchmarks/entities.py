"""Entity quality and speed: plain spaCy-sm NER against briefing's Recognizer.

Usage: python benchmarks/entities.py [--conll FILE] [--errors N]

Quality: CoNLL-2003 dev (216 Reuters documents, tokens given), entity-level exact match,
P/R/F1 for PER, LOC, ORG and their micro average (MISC ignored). Plain spaCy maps
PERSON->PER, GPE/LOC/FAC->LOC, ORG->ORG; ours maps PERSON->PER, PLACE->LOC, ORG->ORG.
Speed: stories/s of ``Recognizer.annotate`` on the demo feeds (if present) and the UCI
headlines, with one and two processes. The last line is ours: ``ner_micro_f1: X``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing.entities import MODEL_PACKAGE, NOT_NER, Recognizer  # noqa: E402
from briefing.models import ORG, PERSON, PLACE  # noqa: E402

SHARED = Path(os.environ.get("BRIEFING_SHARED", ROOT.parent / "shared"))
TYPES = ("PER", "LOC", "ORG")
OURS = {PERSON: "PER", PLACE: "LOC", ORG: "ORG"}
PLAIN = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"}

Span = tuple[int, int, str]


def read_conll(path: Path) -> list[tuple[list[str], set[Span]]]:
    """Documents as (words, gold spans); IOB1 tags, so B- only separates touching entities."""
    docs: list[tuple[list[str], list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            docs.append(([], []))
        elif line.strip():
            word, _, _, tag = line.split(" ")
            docs[-1][0].append(word)
            docs[-1][1].append(tag)
    return [(words, iob_spans(tags)) for words, tags in docs if words]


def iob_spans(tags: Sequence[str]) -> set[Span]:
    spans: set[Span] = set()
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag == "O" or tag.startswith("B-") or tag[2:] != kind:
            if start >= 0 and kind in TYPES:
                spans.add((start, i, kind))
            start, kind = (i, tag[2:]) if tag != "O" else (-1, "")
    return spans


def score(gold: Sequence[set[Span]], pred: Sequence[set[Span]]) -> dict[str, float]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for _, _, kind in g & p:
            tp[kind] += 1
        for _, _, kind in p - g:
            fp[kind] += 1
        for _, _, kind in g - p:
            fn[kind] += 1

    def f1(t: int, f: int, n: int) -> tuple[float, float, float]:
        p = t / (t + f) if t + f else 0.0
        r = t / (t + n) if t + n else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0

    out: dict[str, float] = {}
    for kind in TYPES:
        out[f"{kind}_p"], out[f"{kind}_r"], out[kind] = f1(tp[kind], fp[kind], fn[kind])
    t, f, n = (sum(c[k] for k in TYPES) for c in (tp, fp, fn))
    out["micro_p"], out["micro_r"], out["micro"] = f1(t, f, n)
    return out


def plain_spans(docs: Sequence[list[str]]) -> list[set[Span]]:
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.load(MODEL_PACKAGE, exclude=NOT_NER)
    piped = nlp.pipe(Doc(nlp.vocab, words=words) for words in docs)
    return [{(e.start, e.end, PLAIN[e.label_]) for e in d.ents if e.label_ in PLAIN} for d in piped]


def our_spans(rec: Recognizer, docs: Sequence[list[str]]) -> list[set[Span]]:
    return [
        {(s, e, OURS[t]) for s, e, t in spans if t in OURS} for spans in rec.annotate_tokens(docs)
    ]


def print_errors(words: list[str], gold: set[Span], pred: set[Span], limit: int) -> None:
    for label, spans in (("missed", gold - pred), ("wrong", pred - gold)):
        for s, e, kind in sorted(spans)[:limit]:
            sys.stdout.write(f"  {label:6} {kind} {' '.join(words[s:e])!r}\n")


def story_corpus() -> list[tuple[str, str]]:
    stories: list[tuple[str, str]] = []
    demo = sorted((ROOT / "briefing" / "demo" / "feeds").glob("*.xml"))
    if demo:
        import feedparser

        for path in demo:
            for entry in feedparser.parse(path.read_bytes()).entries:
                stories.append((entry.get("title", ""), entry.get("summary", "")))
    headlines = SHARED / "data" / "threads" / "uci-headlines-dev.jsonl"
    if headlines.exists():
        for line in headlines.read_text(encoding="utf-8").splitlines():
            stories.append((json.loads(line)["title"], ""))
    return stories


def speed(stories: list[tuple[str, str]], n_process: int) -> float:
    rec = Recognizer(n_process=n_process)
    rec.load()
    rec.annotate(stories[:50])  # warm-up
    start = time.perf_counter()
    rec.annotate(stories)
    return len(stories) / (time.perf_counter() - start)


def main() -> None:
    default = SHARED / "data" / "ner" / "conll2003-dev.txt"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=default)
    parser.add_argument("--errors", type=int, default=0, help="print N errors per document")
    args = parser.parse_args()

    data = read_conll(args.conll)
    docs = [words for words, _ in data]
    gold = [spans for _, spans in data]
    rec = Recognizer()
    rec.load()
    start = time.perf_counter()
    ours = our_spans(rec, docs)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    plain = plain_spans(docs)
    plain_s = time.perf_counter() - start
    if args.errors:
        for (words, g), p in zip(data, ours, strict=True):
            print_errors(words, g, p, args.errors)
    a, b = score(gold, plain), score(gold, ours)
    sys.stdout.write(f"CoNLL-2003 dev: {len(docs)} documents, {sum(map(len, gold))} entities\n")
    sys.stdout.write(
        f"{'type':6} {'plain P':>8} {'R':>6} {'F1':>6}   {'ours P':>7} {'R':>6} {'F1':>6}\n"
    )
    for kind in (*TYPES, "micro"):
        pk, rk = (f"{kind}_p", f"{kind}_r")
        sys.stdout.write(
            f"{kind:6} {a[pk]:8.3f} {a[rk]:6.3f} {a[kind]:6.3f}   "
            f"{b[pk]:7.3f} {b[rk]:6.3f} {b[kind]:6.3f}\n"
        )
    sys.stdout.write(f"time: plain {plain_s:.1f} s, ours {ours_s:.1f} s (incl. model load)\n")

    stories = story_corpus()
    one = two = 0.0
    if stories:
        one, two = speed(stories, 1), speed(stories, 2)
        sys.stdout.write(
            f"speed on {len(stories)} stories: {one:.0f}/s, {two:.0f}/s with 2 processes\n"
        )
    sys.stdout.write(f"plain_micro_f1: {a['micro']:.3f}\n")
    for kind in TYPES:
        sys.stdout.write(f"ner_{kind.lower()}_f1: {b[kind]:.3f}\n")
    sys.stdout.write(f"annotate_stories_per_s: {one:.0f}\n")
    sys.stdout.write(f"annotate_stories_per_s_2proc: {two:.0f}\n")
    sys.stdout.write(f"ner_micro_f1: {b['micro']:.3f}\n")


if __name__ == "__main__":
    main()
