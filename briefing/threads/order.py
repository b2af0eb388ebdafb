"""The order of the thread list: what a reader should look at first. Pure: no store, no clock."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from briefing.models import Thread


def briefing_order(threads: Sequence[Thread], now: datetime) -> list[Thread]:
    """Multi-source threads first, by recent activity weighted by breadth; then single ones.

    Breadth (outlets, stories, unseen stories) counts logarithmically; activity decays with
    the age of the latest story (half-life of a day), so a broad story from yesterday still
    ranks above one outlet's item from this hour.
    """

    def score(t: Thread) -> float:
        age_hours = max(0.0, (now - t.last_seen).total_seconds() / 3600)
        breadth = 2 * math.log1p(t.sources) + math.log1p(t.stories) + 0.5 * math.log1p(t.new)
        return float(breadth * 0.5 ** (age_hours / 24))

    multi = sorted((t for t in threads if t.sources > 1), key=lambda t: (-score(t), t.id))
    single = sorted(
        (t for t in threads if t.sources <= 1), key=lambda t: (-t.last_seen.timestamp(), t.id)
    )
    return multi + single
