"""Grouping of observations into themes: which notes tell of the same problem, in any language."""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

from ..reports.themes import STOPWORDS, tokens

#: Two notes whose similarity reaches this tell of the same problem.
THRESHOLD = 0.3


def _bag(text: str) -> Counter:
    return Counter(stem for stem, _s, _e in tokens(text) if not stem.startswith("~") and len(stem) > 2)


def _vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    bags = [_bag(t) for t in texts]
    df = Counter(word for bag in bags for word in bag)
    n = len(bags)
    out = []
    for bag in bags:
        vec = {w: c * math.log(1 + n / df[w]) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({w: v / norm for w, v in vec.items()})
    return out


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def group(texts: Sequence[str]) -> list[int]:
    """One label per text; texts with the same label tell of the same problem."""
    vectors = _vectors(texts)
    labels = list(range(len(texts)))
    members = {i: [i] for i in labels}
    # Average linkage: merge the two closest groups while their mean similarity reaches THRESHOLD.
    while True:
        best, pair = THRESHOLD, None
        keys = list(members)
        for x, a in enumerate(keys):
            for b in keys[x + 1:]:
                sim = sum(_cos(vectors[i], vectors[j]) for i in members[a] for j in members[b])
                sim /= len(members[a]) * len(members[b])
                if sim >= best:
                    best, pair = sim, (a, b)
        if pair is None:
            break
        a, b = pair
        members[a] += members.pop(b)
    for label, (_key, items) in enumerate(sorted(members.items())):
        for i in items:
            labels[i] = label
    return labels


def similar(text: str, candidates: Sequence[str], k: int = 3) -> list[tuple[int, float]]:
    """The k candidates most like text, best first, as (index, similarity 0..1)."""
    vectors = _vectors([text, *candidates])
    scored = [(i, max(0.0, min(1.0, _cos(vectors[0], v)))) for i, v in enumerate(vectors[1:])]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:k]


def theme_title(texts: Sequence[str]) -> str:
    """A short title for a group of notes: the most shared words of its most typical note."""
    if not texts:
        return ""
    counts = Counter(w for t in texts for w in set(_bag(t)))
    best = max(texts, key=lambda t: sum(counts[w] for w in set(_bag(t))))
    words = [w for w in best.split() if w.casefold().strip(".,;:!?") not in STOPWORDS]
    return " ".join(words[:6]).strip(" .,;:!?") or best[:60]
