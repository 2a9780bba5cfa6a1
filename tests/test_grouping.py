"""Grouping observations into themes with the real multilingual model: same problem in other
words and languages together, different problems apart, titles, "same as…" and offline loading."""

from __future__ import annotations

import csv
import itertools
import socket
from pathlib import Path

import pytest

from storeshift.services import grouping

DATA = Path(__file__).resolve().parent / "data"
# The goals for the labelled set (bench/RESULTS.md has today's figures): a change that falls
# below them is a regression.
OVERALL_FLOOR = 0.85
NON_ENGLISH_FLOOR = 0.75

CARD_READER = [
    "The card reader on till 3 keeps declining contactless payments.",
    "Card machine at till three froze twice and had to be restarted.",
    "Le terminal de paiement de la caisse 3 refuse les cartes sans contact.",
    "Das Kartenlesegerät an Kasse 3 bricht bei jeder Zahlung ab.",
]
GIFT_CARDS = [
    "Customers asked why gift cards cannot be used for online orders.",
    "A customer wanted to know how to check the balance on her gift card.",
]
TOILETS = [
    "The customer toilets were dirty and there was no soap.",
    "Die Kundentoiletten waren verschmutzt, keine Seife mehr.",
    "Los baños de clientes estaban sucios y sin jabón.",
]
LONE = "A parent suggested a quiet hour with dimmed lights for autistic children."


def same(labels, a, b):
    return labels[a] == labels[b]


def test_same_problem_in_other_words_and_languages_is_one_theme():
    texts = CARD_READER + TOILETS
    labels = grouping.group(texts)
    assert len(set(labels[:4])) == 1, labels
    assert len(set(labels[4:])) == 1, labels
    assert labels[0] != labels[4]


def test_different_problems_stay_apart_and_a_lone_note_stays_alone():
    texts = CARD_READER + GIFT_CARDS + TOILETS + [LONE]
    labels = grouping.group(texts)
    reader, gift, toilets, lone = labels[0], labels[4], labels[6], labels[-1]
    assert len({reader, gift, toilets, lone}) == 4, labels
    assert labels.count(lone) == 1
    assert all(labels[i] == gift for i in (4, 5))


def test_numbers_in_words_meet_numbers_in_digits():
    assert grouping.normalise("Card reader at till three is broken") == "Card reader at till 3 is broken"
    assert "3" in grouping.normalise("Le lecteur de la caisse trois est en panne")
    assert "3" in grouping.normalise("Das Lesegerät an der Kasse drei ist kaputt")
    assert "3" in grouping.normalise("El lector de la caja tres no funciona")
    texts = ["till 3 card reader keeps failing", "till three card reader keeps failing",
             "the queue at the bakery counter was very long"]
    labels = grouping.group(texts)
    assert labels[0] == labels[1] != labels[2]


def test_languages_are_told_apart():
    assert grouping.language("Toiletten im Erdgeschoss schmutzig, Papier fehlt. Große Pfütze") == "de"
    assert grouping.language("The toilets were dirty and there was no soap") == "en"
    assert grouping.language("Les toilettes étaient sales et il n'y avait pas de savon") == "fr"
    assert grouping.language("Die Toiletten waren schmutzig und es gab keine Seife") == "de"
    assert grouping.language("Los baños estaban sucios y no había jabón") == "es"


@pytest.mark.parametrize("texts", [CARD_READER, GIFT_CARDS, TOILETS, [LONE], ["Store", "The store"],
                                   ["Show", "Show me the show"]])
def test_titles_are_several_words_of_the_groups_main_language(texts):
    title = grouping.theme_title(texts)
    assert title.strip() == title and title
    if len(" ".join(texts).split()) > 3:
        assert len(title.split()) >= 3, title
    assert title.casefold() not in {"store", "show", "customer", "customers", "problem"}
    main = max(grouping.LANGUAGES, key=[grouping.language(t) for t in texts].count)
    assert grouping.language(title) == main or len(title.split()) < 4


def test_title_takes_the_language_most_notes_were_written_in():
    texts = [TOILETS[1], "Die Toiletten im Erdgeschoss sind schmutzig, es fehlt Papier.", TOILETS[0]]
    assert grouping.language(grouping.theme_title(texts)) == "de"


def test_similar_ranks_the_same_problem_first():
    candidates = [TOILETS[0], GIFT_CARDS[0], CARD_READER[0], LONE]
    found = grouping.similar("Kartenzahlung an Kasse drei funktioniert nicht", candidates, k=3)
    assert [i for i, _ in found][0] == 2
    assert len(found) == 3
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert grouping.similar("anything", [], k=3) == []


def test_empty_input():
    assert grouping.group([]) == []
    assert grouping.theme_title([]) == ""
    assert grouping.group(["", "   "]) in ([0, 0], [0, 1])


def test_model_loads_and_groups_with_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access refused in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    grouping._encoder.cache_clear()
    grouping._cache.clear()
    labels = grouping.group([CARD_READER[0], CARD_READER[2], TOILETS[0]])
    assert labels[0] == labels[1] != labels[2]


def pairwise_f1(gold: list[str], found: list[int], keep) -> float:
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(gold)), 2):
        if not keep(i, j):
            continue
        truth, guess = gold[i] == gold[j], found[i] == found[j]
        tp += truth and guess
        fp += guess and not truth
        fn += truth and not guess
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def test_labelled_set_pairwise_f1_stays_above_its_floor():
    with open(DATA / "observations_labelled.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    gold = [r["group"] for r in rows]
    foreign = [r["language"] != "en" for r in rows]
    found = grouping.group([r["text"] for r in rows])
    overall = pairwise_f1(gold, found, lambda i, j: True)
    non_english = pairwise_f1(gold, found, lambda i, j: foreign[i] or foreign[j])
    assert overall >= OVERALL_FLOOR, overall
    assert non_english >= NON_ENGLISH_FLOOR, non_english
