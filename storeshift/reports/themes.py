"""Themes: observations grouped by the words and phrases that different people repeat
("6 people noticed: self-checkout rejects bags"), most-reported first."""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ..i18n import format_number, ngettext

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even ever every few for from
further get gets got had has have having he her here hers him his how i if in into is it its itself
just keep keeps kept let lot lots many me more most much my no nor not now of off on once only or
other our out over own per quite really same she should since so some still such than that the
their them then there these they this those through to too under until up us very was we were what
when where which while who whom why will with would you your yours one two three several people
customer customers asked ask asks said says say told tell noticed today day week time times again
always never back whether find found want wanted wants need needs needed praised praise
complained complain mentioned mention seemed seem looked look saw see seen thought think felt
make made went going come came""".split())
# A phrase of one common word says little; longer phrases are the specific things people saw.
_WEIGHT = {1: 0.6, 2: 1.0, 3: 1.15}

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
MAX_TOKENS = 300        # a very long note is themed on its opening, which is where the point is
MAX_PHRASE = 5
MAX_CONTENT = 3


def _stem(word: str) -> str:
    """A light stem so 'bags'/'bag' and 'rejects'/'rejecting' meet; not a linguist's stemmer."""
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(stem, start, end) of each word; 'self-checkout' is two words that stay adjacent.
    A stop word's stem is marked with a leading '~' so 'praised' is known as a stop word."""
    out: list[tuple[str, int, int]] = []
    folded = text.casefold()
    for match in _WORD.finditer(folded):
        word = match.group()
        stem = _stem(word)
        if out and folded[out[-1][2]:match.start()] == "-":
            # The second half of a hyphenated word ('checkout' of 'self-checkout') is not
            # counted as a content word of its own.
            stem = "+" + stem
        out.append(("~" + stem if word in STOPWORDS else stem, match.start(), match.end()))
        if len(out) >= MAX_TOKENS:
            break
    return out


def _content(stem: str) -> bool:
    return not stem.startswith(("~", "+")) and stem not in STOPWORDS and not stem.isdigit() and len(stem) > 2


@lru_cache(maxsize=4096)
def phrases(text: str) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """Candidate phrases of a text: runs of up to MAX_PHRASE words that begin and end with a
    content word and hold at most MAX_CONTENT of them; value: (first word index, start, end)."""
    words = tokens(text)
    found: dict[tuple[str, ...], tuple[int, int, int]] = {}
    for i, (stem, start, _end) in enumerate(words):
        if not _content(stem):
            continue
        content = 0
        for j in range(i, min(len(words), i + MAX_PHRASE)):
            word = words[j][0]
            if _content(word):
                content += 1
                if content > MAX_CONTENT:
                    break
            ends_word = j + 1 == len(words) or not words[j + 1][0].startswith("+")
            if (_content(word) or word.startswith("+")) and ends_word:
                key = tuple(w[0] for w in words[i:j + 1])
                if key not in found:
                    found[key] = (i, start, words[j][2])
    return found


@dataclass
class Theme:
    phrase: str                               # as written in the representative observation
    observations: list[dict]
    people: int
    representative: dict
    quote: str | None = None
    names: list[str] = field(default_factory=list)
    categories: Counter = field(default_factory=Counter)
    high_impact: int = 0

    @property
    def headline(self) -> str:
        return ngettext("{count} person noticed: {phrase}", "{count} people noticed: {phrase}", self.people).format(
            count=format_number(self.people), phrase=self.phrase)


def _who(obs: dict) -> str:
    return obs.get("person_id") or f"observation:{obs['id']}"


MIN_SCORE = 1.8   # two people sharing a phrase, or three sharing one telling word


def find_themes(observations: list[dict], limit: int = 8, min_people: int = 2) -> list[Theme]:
    """Group observations into themes: greedily take the phrase written by the most different
    people (longer and earlier phrases win ties), claim its observations, repeat."""
    per_phrase: dict[tuple[str, ...], set[int]] = defaultdict(set)
    positions: list[dict] = []
    for index, obs in enumerate(observations):
        found = phrases(obs.get("text") or "")
        positions.append(found)
        for key in found:
            per_phrase[key].add(index)
    people_of = [_who(o) for o in observations]

    def score(key: tuple[str, ...], members: set[int]) -> tuple:
        people = len({people_of[i] for i in members})
        content = min(3, sum(1 for w in key if _content(w)))
        first = sum(positions[i][key][0] for i in members) / len(members)
        high = sum(1 for i in members if observations[i].get("impact") == "high")
        return (round(people * _WEIGHT.get(content, 1.15), 3), people, high, content, -first, len(members))

    heap: list = []
    for key, members in per_phrase.items():
        if len({people_of[i] for i in members}) >= min_people and score(key, members)[0] >= MIN_SCORE:
            heapq.heappush(heap, (tuple(-x for x in score(key, members)), key))
    claimed: set[int] = set()
    themes: list[Theme] = []
    while heap and len(themes) < limit:
        negative, key = heapq.heappop(heap)
        members = per_phrase[key] - claimed
        if not members:
            continue
        current = score(key, members)
        if current[1] < min_people or current[0] < MIN_SCORE:
            continue
        if tuple(-x for x in current) != negative:
            # Observations were claimed by a better theme since: re-rank (lazy greedy).
            heapq.heappush(heap, (tuple(-x for x in current), key))
            continue
        claimed |= members
        themes.append(_make_theme(key, sorted(members), observations, positions, people_of))
    return themes


def _make_theme(key, members, observations, positions, people_of) -> Theme:
    chosen = [observations[i] for i in members]
    # The representative note: the one sharing the most phrases with the rest, high impact first.
    shared: Counter = Counter()
    for i in members:
        shared.update(positions[i].keys())
    impact_rank = {"high": 2, "medium": 1, "low": 0}

    def centrality(i: int) -> tuple:
        return (sum(shared[k] for k in positions[i]) / (1 + len(positions[i]) ** 0.5),
                impact_rank.get(observations[i].get("impact"), 0), -len(observations[i].get("text") or ""))
    best = max(members, key=centrality)
    _, start, end = positions[best][key]
    written = observations[best]["text"] or ""
    # Case-folding can change a text's length (ß -> ss); then quote the folded form.
    source = written if len(written.casefold()) == len(written) else written.casefold()
    phrase = source[start:end]
    if phrase[:1].isupper() and not phrase[1:2].isupper():
        phrase = phrase[0].lower() + phrase[1:]
    quotes = [observations[i]["quote"] for i in sorted(members, key=centrality, reverse=True)
              if observations[i].get("quote")]
    names: list[str] = []
    for obs in chosen:
        name = obs.get("person_name")
        if name and name not in names:
            names.append(name)
    return Theme(phrase=phrase, observations=chosen, people=len({people_of[i] for i in members}),
                 representative=observations[best], quote=quotes[0] if quotes else None, names=names,
                 categories=Counter(o["category"] for o in chosen),
                 high_impact=sum(1 for o in chosen if o.get("impact") == "high"))
