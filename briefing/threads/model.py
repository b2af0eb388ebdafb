"""The join-or-new decision: a logistic model over story-vs-story similarity features.

A story is compared with each recent member of a candidate thread, not with the thread's
centroid: a centroid widens with every story it absorbs, so a big thread ends up "similar" to
everything (on real feeds that built a 69-story blob at 17% purity). The story joins a thread
only when its best pair probability clears ``join_best`` and the mean over the members clears
``join_mean``: one close member is not enough if the rest of the thread is about something else.

Weights are data (briefing/data/thread_model.json, written by benchmarks/train_threads.py);
the defaults below are a copy of a trained file so the engine still works if it is missing.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Order matters: weights in the JSON file are stored by name, the engine builds vectors in it.
PAIR_FEATURES = (
    "text",  # TF-IDF cosine, title + summary words
    "title",  # TF-IDF cosine, title words only
    "bigram",  # TF-IDF cosine, adjacent word pairs
    "entity",  # TF-IDF cosine, entity keys (people, places, organisations, groups)
    "same_source",  # both from one outlet: an outlet's running coverage of one story
    "both_summary",  # both carry a real summary: every cosine is read on a different scale
    "text_summary",  # text cosine when both carry a summary, else 0
    "headlines",  # neither carries a summary: two headlines, worded apart even when one story
    "title_headlines",  # title cosine when neither carries a summary, else 0
    "time",  # Gaussian of the gap between the two stories
    "entity_conflict",  # both name people/orgs/places, none shared (engine.py, _conflict)
)
THREAD_FEATURES = (
    "best",  # the pair probability of the closest recent member
    "mean",  # the mean pair probability over the recent members
    "centroid_text",  # TF-IDF cosine with the members' words taken together
    "centroid_entity",  # TF-IDF cosine with the members' entities taken together
    "log_size",  # log(1 + stories in thread)
    "headline",  # the story has no summary
    "conflict",  # share of recent members naming other people/orgs/places only (_conflict)
)
FEATURES = PAIR_FEATURES  # the pair model's, for callers that name one list

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "thread_model.json"


@dataclass(frozen=True, slots=True)
class LinearModel:
    weights: tuple[float, ...]  # aligned with its feature names
    bias: float

    def probability(self, features: Sequence[float]) -> float:
        if len(features) != len(self.weights):
            raise ValueError(f"{len(features)} features for {len(self.weights)} weights")
        # fsum is exact whatever the order: map is only a faster way to the same sum.
        z = self.bias + math.fsum(map(operator.mul, self.weights, features))
        if z < -60.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_json(cls, data: Mapping[str, Any], names: Sequence[str]) -> LinearModel:
        w = data["weights"]
        return cls(tuple(float(w.get(name, 0.0)) for name in names), float(data["bias"]))

    def to_json(self, names: Sequence[str]) -> dict[str, Any]:
        return {"weights": dict(zip(names, self.weights, strict=True)), "bias": self.bias}


@dataclass(frozen=True, slots=True)
class ThreadModel:
    pair: LinearModel  # P(two stories are one story), over PAIR_FEATURES
    thread: LinearModel  # P(a story belongs to a thread), over THREAD_FEATURES
    threshold: float = 0.5  # join the best thread if its probability is at least this
    headline_threshold: float = 0.5  # the same for a story with no summary (a bare headline)
    article_threshold: float = 0.5  # the same for a story with an article's text (threads.doc)
    merge_threshold: float = 0.8  # live threads merge when each side joins the other (> 1: never)
    sigma_days: float = 3.0  # width of the time similarity

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ThreadModel:
        return cls(
            pair=LinearModel.from_json(data["pair"], PAIR_FEATURES),
            thread=LinearModel.from_json(data["thread"], THREAD_FEATURES),
            threshold=float(data.get("threshold", 0.5)),
            headline_threshold=float(data.get("headline_threshold", 0.5)),
            article_threshold=float(data.get("article_threshold", data.get("threshold", 0.5))),
            merge_threshold=float(data.get("merge_threshold", 0.8)),
            sigma_days=float(data.get("sigma_days", 3.0)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pair": self.pair.to_json(PAIR_FEATURES),
            "thread": self.thread.to_json(THREAD_FEATURES),
            "threshold": self.threshold,
            "headline_threshold": self.headline_threshold,
            "article_threshold": self.article_threshold,
            "merge_threshold": self.merge_threshold,
            "sigma_days": self.sigma_days,
        }

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ThreadModel:
        """The trained file, else the built-in copy (a broken file must not stop a refresh)."""
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return DEFAULT_MODEL

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)


DEFAULT_MODEL = ThreadModel(
    pair=LinearModel(
        (3.1109, 2.5089, 1.2588, 1.4969, 0.4167, -0.6814, 2.8448, 0.2305, -0.0366, 0.7913, -0.7255),
        -2.6448,
    ),
    thread=LinearModel((4.1583, 1.509, 3.2896, 1.001, 0.5752, -0.4385, -0.3605), -5.8915),
    threshold=0.15,
    headline_threshold=0.2,
    article_threshold=0.2,
    merge_threshold=0.2,
)
