"""Train the join-or-new model (briefing/data/thread_model.json) on the labelled dev file.

Run: python benchmarks/train_threads.py [--data FILE] [--no-entities] [--dry-run]

As in Miranda et al. 2018: stories in time order, threads = gold clusters so far (teacher
forcing); for each story, its feature vector against each candidate thread the engine would
score, label 1 if that thread is the story's gold cluster. A logistic regression (Newton, L2)
is fitted, then the join threshold is chosen end to end for pairwise F1.

Timestamps are shuffled before training: in this file every gold cluster is one crawl burst,
so time would otherwise become a perfect (and meaningless) feature.

Generalisation is checked by splitting the *clusters* in two halves (by a hash of the label):
train on one half's stories, evaluate end to end on the other's, and the reverse.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

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
    mask = [on and not name.startswith("time") for on, name in zip(mask, FEATURES, strict=True)]
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


def fit_model(rows: Sequence[Row], with_entities: bool, mask: Sequence[bool]) -> ThreadModel:
    words = train(rows, False, mask)
    ents = train(rows, True, mask) if with_entities else replace(words)
    return tune(rows, ThreadModel(words=words, entities=ents))[1]


def fold_of(label: str) -> int:
    return hashlib.sha256(label.encode()).digest()[0] % 2


def report(name: str, rows: Sequence[Row], model: ThreadModel) -> float:
    pub, _ = evaluate(rows, partial(assign_all, model=model))
    shuf, _ = evaluate(time_shuffled(rows, 101), partial(assign_all, model=model))
    print(
        f"{name}: pairwise_f1 {pub['pairwise_f1']:.4f} (P {pub['pairwise_precision']:.3f} "
        f"R {pub['pairwise_recall']:.3f}) time-shuffled {shuf['pairwise_f1']:.4f} "
        f"threads {int(pub['threads'])}/{int(pub['gold_threads'])}"
    )
    return pub["pairwise_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_dir() / DEFAULT_DATA)
    parser.add_argument("--no-entities", action="store_true")
    parser.add_argument("--features", default=",".join(FEATURES), help="comma-separated subset")
    parser.add_argument("--dry-run", action="store_true", help="do not write the model file")
    parser.add_argument("--no-cv", action="store_true")
    args = parser.parse_args()

    chosen = set(args.features.split(","))
    mask = [name in chosen for name in FEATURES]
    rows, note = build_rows(load(args.data), entities=not args.no_entities)
    with_entities = any(r.item.entities for r in rows)
    print(f"entities: {note}")

    if not args.no_cv:
        held = []
        for fold in (0, 1):
            train_rows = [r for r in rows if fold_of(r.label) == fold]
            test_rows = [r for r in rows if fold_of(r.label) != fold]
            model = fit_model(train_rows, with_entities, mask)
            n_train = len({r.label for r in train_rows})
            print(
                f"fold {fold}: trained on {n_train} clusters, threshold {model.threshold}, "
                f"merge {model.merge_similarity}"
            )
            report(f"  fold {fold} in-sample", train_rows, model)
            held.append(report(f"  fold {fold} held-out", test_rows, model))
        print(f"held_out_pairwise_f1: {sum(held) / len(held):.4f}")

    model = fit_model(rows, with_entities, mask)
    print("weights (words):", dict(zip(FEATURES, model.words.weights, strict=True)))
    print(f"  bias {model.words.bias}")
    print("weights (entities):", dict(zip(FEATURES, model.entities.weights, strict=True)))
    print(f"  bias {model.entities.bias}; threshold {model.threshold}")
    print(f"  merge_similarity {model.merge_similarity}")
    report("all clusters, in-sample", rows, model)
    if not args.dry_run:
        model.save(MODEL_PATH)
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()
