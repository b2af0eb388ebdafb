"""Train the join-or-new model (briefing/data/thread_model.json) on the labelled dev file.

Run: python benchmarks/train_threads.py [--data FILE] [--no-entities] [--dry-run]
         [--summaries-only]  (keep the file's headline sets, refit the summary sets)

As in Miranda et al. 2018: stories in time order, threads = gold clusters so far (teacher
forcing); for each story, its feature vector against each candidate thread the engine would
score, label 1 if that thread is the story's gold cluster. A logistic regression (Newton, L2)
is fitted, then the join threshold is chosen end to end for pairwise F1.

Timestamps are shuffled before training: in this file every gold cluster is one crawl burst,
so time would otherwise become a perfect (and meaningless) feature.

The dev file has headlines only, but feeds carry 2-4 sentence summaries, which raise every
text cosine. Summary weight sets are calibrated on the same file with synthetic summaries:
half of each cluster's headlines (by a hash of the id) leave the stream and become summary
sentences for the rest, two per story, so a summary is on-topic without quoting a story that
is itself in a thread. Only what summaries change is fitted there: the join threshold and the
entity-conflict weight (headlines have too few names for it); the other weights are the
headline ones, because synthetic summaries are easier than real ones (recall ~0.97 at any
threshold) and a full refit learns that instead.

Generalisation is checked by splitting the *clusters* in two halves (by a hash of the label):
train on one half's stories, evaluate end to end on the other's, and the reverse.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

# The sibling script benchmarks/threads.py (importable as `threads` when run as a script).
from threads import (
    DEFAULT_DATA,
    Row,
    assign_all,
    build_rows,
    evaluate,
    load,
    shared_dir,
    time_shuffled,
)

from briefing.threads import ThreadEngine
from briefing.threads_model import FEATURES, MODEL_PATH, LinearModel, ThreadModel

L2 = 1e-2
# Logit-spaced: the useful joins sit just above the bias, where F1 moves fast.
THRESHOLDS = [round(1.0 / (1.0 + math.exp(-z / 8.0)), 4) for z in range(-18, -5)]
# Summaries move every probability up: the grid reaches further for their weight sets.
SUMMARY_THRESHOLDS = [round(1.0 / (1.0 + math.exp(-z / 8.0)), 4) for z in range(-18, 13, 2)]
SUMMARY_SENTENCES = 2
MERGE_SIMILARITIES = (0.15, 0.2, 0.3, 1.01)  # 1.01 = never merge
SHUFFLE_SEEDS = (13, 29)

Example = tuple[list[float], int]


def examples(rows: Sequence[Row], with_entities: bool) -> tuple[list[Example], int]:
    """Features against each candidate with gold threads; also how often gold was not found."""
    engine = ThreadEngine()
    thread_of: dict[str, int] = {}
    out: list[Example] = []
    missed = 0
    for row in rows:
        item = row.item if with_entities else replace(row.item, entities=(), entity_names=())
        gold = thread_of.get(row.label)
        found = False
        for tid, feats in engine.features(item):
            out.append((feats, int(tid == gold)))
            found = found or tid == gold
        missed += gold is not None and not found
        if gold is None:
            gold = thread_of[row.label] = len(thread_of) + 1
        engine.add_known(item, gold)
    return out, missed


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the system is tiny)."""
    n = len(b)
    m = [[*row, rhs] for row, rhs in zip(a, b, strict=True)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col and m[col][col]:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] if m[i][i] else 0.0 for i in range(n)]


def fit(data: Sequence[Example], mask: Sequence[bool]) -> LinearModel:
    """L2 logistic regression by Newton's method over the unmasked features plus a bias."""
    idx = [i for i, on in enumerate(mask) if on]
    k = len(idx) + 1
    w = [0.0] * k
    for _ in range(25):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for feats, y in data:
            x = [feats[i] for i in idx] + [1.0]
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
            s = p * (1.0 - p)
            for i in range(k):
                grad[i] += (p - y) * x[i]
                for j in range(i + 1):
                    hess[i][j] += s * x[i] * x[j]
        n = len(data)
        for i in range(k):
            grad[i] = grad[i] / n + (L2 * w[i] if i < k - 1 else 0.0)
            for j in range(i + 1):
                hess[i][j] = hess[i][j] / n + (L2 if i == j and i < k - 1 else 0.0)
                hess[j][i] = hess[i][j]
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    weights = [0.0] * len(FEATURES)
    for pos, i in enumerate(idx):
        weights[i] = round(w[pos], 4)
    return LinearModel(tuple(weights), round(w[-1], 4))


def fit_one(data: Sequence[Example], base: LinearModel, name: str) -> LinearModel:
    """One feature's weight by Newton's method, the other weights and the bias held at base's."""
    i = FEATURES.index(name)
    others = [(j, w) for j, w in enumerate(base.weights) if j != i]
    rest = [
        (base.bias + math.fsum(w * feats[j] for j, w in others), feats[i], y) for feats, y in data
    ]
    w = 0.0
    for _ in range(25):
        grad = hess = 0.0
        for offset, x, y in rest:
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, offset + w * x))))
            grad += (p - y) * x
            hess += p * (1.0 - p) * x * x
        step = (grad / len(rest) + L2 * w) / (hess / len(rest) + L2)
        w -= step
        if abs(step) < 1e-7:
            break
    weights = list(base.weights)
    weights[i] = round(w, 4)
    return LinearModel(tuple(weights), base.bias)


def streams(rows: Sequence[Row]) -> list[list[Row]]:
    """Published order plus time-shuffled copies: novelty and interleaving, no burst signal."""
    return [list(rows)] + [time_shuffled(rows, seed) for seed in SHUFFLE_SEEDS]


def train(rows: Sequence[Row], with_entities: bool, mask: Sequence[bool]) -> LinearModel:
    data: list[Example] = []
    for stream in streams(rows):
        part, _ = examples(stream, with_entities)
        data.extend(part)
    if not with_entities:
        mask = [on and name != "entity" for on, name in zip(mask, FEATURES, strict=True)]
    # Time could only learn this file's crawl bursts (see the module docstring): keep it out.
    # Entity conflict needs several names per side: headlines rarely have them, and the few
    # they have are noisy ("Nasty Weather" as a person); it is fitted on summaries only.
    mask = [
        on and not name.startswith("time") and name != "entity_conflict"
        for on, name in zip(mask, FEATURES, strict=True)
    ]
    return fit(data, mask)


def tune(rows: Sequence[Row], model: ThreadModel) -> tuple[float, ThreadModel]:
    """Join threshold and merge similarity with the best mean pairwise F1 over the streams."""
    best = (-1.0, model)
    runs = streams(rows)[:2]
    for threshold in THRESHOLDS:
        for merge in MERGE_SIMILARITIES:
            trial = replace(model, threshold=threshold, merge_similarity=merge)
            f1 = sum(evaluate(s, partial(assign_all, model=trial))[0]["pairwise_f1"] for s in runs)
            if f1 / len(runs) > best[0]:
                best = (f1 / len(runs), trial)
    return best


def words_only(rows: Sequence[Row]) -> list[Row]:
    return [Row(replace(r.item, entities=(), entity_names=()), r.label) for r in rows]


def tune_summary(rows: Sequence[Row], model: ThreadModel, entities: bool) -> ThreadModel:
    """The summary weight set's own threshold, merges as tuned on headlines."""
    field = "summary_entities" if entities else "summary_words"
    linear = getattr(model, field)
    runs = streams(rows if entities else words_only(rows))[:2]
    best = (-1.0, model)
    for threshold in SUMMARY_THRESHOLDS:
        trial = replace(model, **{field: replace(linear, threshold=threshold)})
        f1 = sum(evaluate(s, partial(assign_all, model=trial))[0]["pairwise_f1"] for s in runs)
        if f1 / len(runs) > best[0]:
            best = (f1 / len(runs), trial)
    return best[1]


def fit_summaries(rows: Sequence[Row], model: ThreadModel, with_entities: bool) -> ThreadModel:
    """Summary weight sets: the headline weights, which transfer, plus an entity-conflict
    weight and a join threshold of their own, the two things summaries change. Refitting every
    weight on synthetic summaries learns the generator instead (they are easier than real ones)."""
    model = replace(model, summary_words=replace(model.words, threshold=None))
    model = tune_summary(rows, model, entities=False)
    if with_entities:
        data: list[Example] = []
        for stream in streams(rows):
            data.extend(examples(stream, True)[0])
        linear = fit_one(data, replace(model.entities, threshold=None), "entity_conflict")
        model = tune_summary(rows, replace(model, summary_entities=linear), entities=True)
    return model


def fit_model(
    rows: Sequence[Row],
    summary_rows: Sequence[Row],
    with_entities: bool,
    mask: Sequence[bool],
    headlines: ThreadModel | None = None,
) -> ThreadModel:
    """Headline weight sets (or the given ones, kept), then the summary sets."""
    model = headlines
    if model is None:
        words = train(rows, False, mask)
        ents = train(rows, True, mask) if with_entities else replace(words)
        model = tune(rows, ThreadModel(words=words, entities=ents))[1]
    if not summary_rows:
        return model
    return fit_summaries(summary_rows, model, with_entities)


def fold_of(label: str) -> int:
    return hashlib.sha256(label.encode()).digest()[0] % 2


def with_summaries(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stories with synthetic summaries from held-back headlines of their own cluster.

    Half of each cluster (by a hash of the id) is held back; each held-back headline is used
    in two summaries at most, dealt in id order, so two stories rarely share a sentence (real
    outlets summarise one event in their own words).
    """
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(records, key=lambda r: _hash(str(r["id"]))):
        clusters[str(r["label"])].append(r)
    out = []
    for members in clusters.values():
        held = [r["title"].rstrip(" .…") for r in members if _hash(str(r["id"])) % 2 == 0]
        kept = [r for r in members if _hash(str(r["id"])) % 2 == 1]
        if len(held) < SUMMARY_SENTENCES:
            continue
        for i, r in enumerate(kept):
            picks = [
                held[(i * SUMMARY_SENTENCES + j) % len(held)] for j in range(SUMMARY_SENTENCES)
            ]
            out.append({**r, "summary": ". ".join(picks) + "."})
    out.sort(key=lambda r: (r["published"], str(r["id"])))
    return out


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def report(name: str, rows: Sequence[Row], model: ThreadModel) -> float:
    pub, _ = evaluate(rows, partial(assign_all, model=model))
    shuf, _ = evaluate(time_shuffled(rows, 101), partial(assign_all, model=model))
    print(
        f"{name}: pairwise_f1 {pub['pairwise_f1']:.4f} (P {pub['pairwise_precision']:.3f} "
        f"R {pub['pairwise_recall']:.3f}) time-shuffled {shuf['pairwise_f1']:.4f} "
        f"threads {int(pub['threads'])}/{int(pub['gold_threads'])}"
    )
    return pub["pairwise_f1"]


def show(name: str, linear: LinearModel | None) -> None:
    if linear is not None:
        print(f"weights ({name}):", dict(zip(FEATURES, linear.weights, strict=True)))
        print(
            f"  bias {linear.bias}"
            + ("" if linear.threshold is None else f"; threshold {linear.threshold}")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_dir() / DEFAULT_DATA)
    parser.add_argument("--no-entities", action="store_true")
    parser.add_argument("--no-summaries", action="store_true", help="headline weight sets only")
    parser.add_argument("--features", default=",".join(FEATURES), help="comma-separated subset")
    parser.add_argument("--dry-run", action="store_true", help="do not write the model file")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument(
        "--summaries-only",
        action="store_true",
        help="keep the model file's headline weight sets, refit the summary sets",
    )
    args = parser.parse_args()

    chosen = set(args.features.split(","))
    mask = [name in chosen for name in FEATURES]
    records = load(args.data)
    rows, note = build_rows(records, entities=not args.no_entities)
    summary_rows: list[Row] = []
    if not args.no_summaries:
        summary_rows, _ = build_rows(with_summaries(records), entities=not args.no_entities)
    with_entities = any(r.item.entities for r in rows)
    print(f"entities: {note}; stories with synthetic summaries: {len(summary_rows)}")
    headlines = ThreadModel.load(MODEL_PATH) if args.summaries_only else None

    if not args.no_cv:
        held: dict[str, list[float]] = {"headlines": [], "summaries": []}
        for fold in (0, 1):
            train_rows = [r for r in rows if fold_of(r.label) == fold]
            test_rows = [r for r in rows if fold_of(r.label) != fold]
            train_sum = [r for r in summary_rows if fold_of(r.label) == fold]
            test_sum = [r for r in summary_rows if fold_of(r.label) != fold]
            model = fit_model(train_rows, train_sum, with_entities, mask, headlines)
            n_train = len({r.label for r in train_rows})
            print(
                f"fold {fold}: trained on {n_train} clusters, threshold {model.threshold}, "
                f"merge {model.merge_similarity}, summary thresholds "
                f"{[m.threshold for m in (model.summary_words, model.summary_entities) if m]}"
            )
            report(f"  fold {fold} in-sample", train_rows, model)
            held["headlines"].append(report(f"  fold {fold} held-out", test_rows, model))
            if summary_rows:
                report(f"  fold {fold} in-sample, summaries", train_sum, model)
                held["summaries"].append(
                    report(f"  fold {fold} held-out, summaries", test_sum, model)
                )
        for name, f1s in held.items():
            if f1s:
                print(f"held_out_pairwise_f1 ({name}): {sum(f1s) / len(f1s):.4f}")

    model = fit_model(rows, summary_rows, with_entities, mask, headlines)
    show("words", model.words)
    show("entities", model.entities)
    show("summary_words", model.summary_words)
    show("summary_entities", model.summary_entities)
    print(f"threshold {model.threshold}; merge_similarity {model.merge_similarity}")
    report("all clusters, in-sample", rows, model)
    if summary_rows:
        report("all clusters, in-sample, summaries", summary_rows, model)
    if not args.dry_run:
        model.save(MODEL_PATH)
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()
