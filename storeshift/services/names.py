"""Finding a person by name however it is typed (case, accents, ø or ß, other scripts), and
keeping a name's own writing direction apart from the sentence around it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..storage.db import Storage

try:  # transliterates every script to Latin letters: محمد -> mhmd, Γιώργος -> Giorgos
    from anyascii import anyascii as _to_ascii
except ImportError:  # pragma: no cover - a broken install still finds Latin names
    _to_ascii = None  # type: ignore[assignment]

# First strong isolate ... pop directional isolate: the name takes its own direction and the
# sentence around it keeps the language's (an Arabic name at the start of an English banner
# would otherwise turn the whole line right to left).
FSI = "\u2068"
PDI = "\u2069"

# Latin letters that are not a base letter plus an accent, so decomposing leaves them alone.
_LETTERS = str.maketrans({"ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss",
                          "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ſ": "s"})
# Apostrophes (O'Brien, and anyascii's hamza) vanish; other separators split words.
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLES = re.compile(r"(.)\1+")
# One Hebrew or Arabic letter that Latin spells with two: Shlomo is שלמה ('slmh').
_DIGRAPHS = re.compile(r"([sktpgdz])h")


def isolate(name: str) -> str:
    """name wrapped so it reads in its own direction inside the sentence around it. Only a name
    with right-to-left letters needs it (storeshift's languages all run left to right), so a
    Latin name stays exactly as typed."""
    if not name or name.startswith(FSI) or not written_right_to_left(name):
        return name
    return f"{FSI}{name}{PDI}"


def written_right_to_left(text: str) -> bool:
    """Whether text has Arabic, Hebrew or other right-to-left letters."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def fold(text: str) -> str:
    """The plain key of a name or a query: lower case, no accents, Latin letters and digits,
    words separated by one space. 'Chloé' and 'CHLOE' -> 'chloe', 'Bjørn' -> 'bjorn',
    'محمد' -> 'mhmd'."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_LETTERS)
    if _to_ascii is not None:
        text = _to_ascii(text).lower()
    else:
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _skeleton(word: str) -> str:
    """Consonants only, doubled letters once: how Arabic and Hebrew write a name (محمد is
    'mhmd'), so that 'Mohammed', 'Muhammad' and 'Mohamad' all find it."""
    return _DOUBLES.sub(r"\1", _VOWELS.sub("", _DIGRAPHS.sub(r"\1", word.replace("c", "k"))))


@lru_cache(maxsize=20000)
def _keys(name: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """A name's words, its letters run together, and (for a script without vowels) the
    skeletons of its words, also without the Arabic article (al-Ahmad is found as Ahmad)."""
    words = tuple(fold(name).split())
    skeletons: tuple[str, ...] = ()
    if written_right_to_left(name):  # Arabic and Hebrew write no vowels
        found: list[str] = []
        for word in words:
            skeleton = _skeleton(word)
            found.append(skeleton)
            if skeleton.startswith("l") and len(skeleton) > 2:
                found.append(skeleton[1:])
        skeletons = tuple(found)
    return words, "".join(words), skeletons


def match_rank(query: str, name: str) -> int | None:
    """How well name answers query (0 best), or None when it does not: every word typed must
    begin a word of the name (0-1), or appear in it (2), or, for a name written in a script
    without vowels, begin with the consonants of a word (3)."""
    return _rank(_typed(query), name)


@lru_cache(maxsize=64)
def _typed(query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words typed, and their consonant skeletons."""
    typed = tuple(fold(query).split())
    return typed, tuple(_skeleton(part) for part in typed)


def _rank(query: tuple[tuple[str, ...], tuple[str, ...]], name: str) -> int | None:
    typed, shapes = query
    if not typed:
        return None
    words, joined, skeletons = _keys(name)
    if not words:
        return None
    if all(any(word.startswith(part) for word in words) for part in typed):
        return 0 if words[0].startswith(typed[0]) else 1
    if all(part in joined for part in typed):
        return 2
    if skeletons:
        # (One consonant alone, 'Anna' as 'n', would find half the names.)
        if max(len(shape) for shape in shapes) >= 2 and \
                all(any(sk.startswith(shape) for sk in skeletons) for shape in shapes):
            return 3
    return None


def search_people(storage: Storage, query: str, limit: int = 8, include_inactive: bool = False) -> list[dict]:
    """People whose name answers query, best first, each with on_site (checked in now)."""
    sql = "SELECT id, name, department, active FROM people"
    if not include_inactive:
        sql += " WHERE active = 1"
    ranked = []
    typed = _typed(query)
    for person in storage.rows(sql):
        rank = _rank(typed, person["name"])
        if rank is not None:
            ranked.append((rank, _keys(person["name"])[1], person))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    found = [person for _rank, _key, person in ranked[:limit]]
    if found:
        marks = ",".join("?" * len(found))
        on_site = {row["person_id"] for row in storage.rows(
            f"SELECT person_id FROM visits WHERE check_out_at IS NULL AND person_id IN ({marks})",
            [person["id"] for person in found])}
        for person in found:
            person["on_site"] = person["id"] in on_site
    return found
