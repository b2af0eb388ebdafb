"""The join-or-new decision: a small logistic model over story-vs-thread similarity features.

Weights are data (briefing/data/thread_model.json, written by benchmarks/train_threads.py);
the defaults below are a copy of a trained file so the engine still works if it is missing.
Weight sets by regime: with entities or words alone, because a model trained with an entity
feature would read "no entities" as "entities disagree"; and headline-only or with a summary,
because a summary raises every text cosine (generic words are shared across stories of a kind),
so a headline-tuned threshold lets same-kind stories join. A summary set has its own threshold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Order matters: weights in the JSON file are stored by name, the engine builds vectors in it.
FEATURES = (
    "text",  # cosine, title+summary words vs thread centroid
    "bigram",  # cosine, adjacent word pairs vs thread centroid
    "entity",  # cosine, entity keys vs thread centroid
    "time_newest",  # Gaussian of the gap to the thread's newest story
    "time_oldest",  # Gaussian of the gap to the thread's oldest story
    "log_size",  # log(1 + stories in thread)
    "entity_conflict",  # both name people/orgs/places, none shared (threads.py, _conflict)
)

MODEL_PATH = Path(__file__).with_name("data") / "thread_model.json"


@dataclass(frozen=True, slots=True)
class LinearModel:
    weights: tuple[float, ...]  # aligned with FEATURES
    bias: float
    threshold: float | None = None  # its own join threshold, else the ThreadModel's

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + math.fsum(w * f for w, f in zip(self.weights, features, strict=True))
        if z < -60.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        w = data["weights"]
        threshold = data.get("threshold")
        return cls(
            tuple(float(w.get(name, 0.0)) for name in FEATURES),
            float(data["bias"]),
            None if threshold is None else float(threshold),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
        }
        if self.threshold is not None:
            out["threshold"] = self.threshold
        return out


@dataclass(frozen=True, slots=True)
class ThreadModel:
    words: LinearModel  # headline-only story, no entities
    entities: LinearModel  # headline-only story with entities
    threshold: float = 0.5  # join the best thread if its probability is at least this
    sigma_days: float = 3.0  # width of the time similarity
    merge_similarity: float = 0.6  # centroid cosine above which two live threads converge
    summary_words: LinearModel | None = None  # story with a summary; None: the headline set
    summary_entities: LinearModel | None = None

    def pick(self, has_entities: bool, has_summary: bool = False) -> LinearModel:
        summary = self.summary_entities if has_entities else self.summary_words
        if has_summary and summary is not None:
            return summary
        return self.entities if has_entities else self.words

    def threshold_of(self, linear: LinearModel) -> float:
        return self.threshold if linear.threshold is None else linear.threshold

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ThreadModel:
        def optional(name: str) -> LinearModel | None:
            return LinearModel.from_json(data[name]) if data.get(name) else None

        return cls(
            words=LinearModel.from_json(data["words"]),
            entities=LinearModel.from_json(data["entities"]),
            threshold=float(data.get("threshold", 0.5)),
            sigma_days=float(data.get("sigma_days", 3.0)),
            merge_similarity=float(data.get("merge_similarity", 0.6)),
            summary_words=optional("summary_words"),
            summary_entities=optional("summary_entities"),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "features": list(FEATURES),
            "words": self.words.to_json(),
            "entities": self.entities.to_json(),
            "threshold": self.threshold,
            "sigma_days": self.sigma_days,
            "merge_similarity": self.merge_similarity,
        }
        for name, linear in (
            ("summary_words", self.summary_words),
            ("summary_entities", self.summary_entities),
        ):
            if linear is not None:
                out[name] = linear.to_json()
        return out

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
    words=LinearModel((2.8058, 1.4969, 0.0, 0.0, 0.0, -0.0576, 0.0), -2.0608),
    entities=LinearModel((2.5286, 1.331, 1.5083, 0.0, 0.0, -0.0533, 0.0), -2.1849),
    threshold=0.1192,
    merge_similarity=0.2,
    summary_words=LinearModel((2.8058, 1.4969, 0.0, 0.0, 0.0, -0.0576, 0.0), -2.0608, 0.1824),
    summary_entities=LinearModel(
        (2.5286, 1.331, 1.5083, 0.0, 0.0, -0.0533, -1.4749), -2.1849, 0.2227
    ),
)
