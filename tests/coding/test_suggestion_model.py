"""The suggestion model itself, on texts written here: a passage unlike every earlier coding
is still suggested from its code's definition words (in their inflected forms too), with
those words as its reason; a passage like an earlier coding quotes it, even when it also has
the code's name."""

from __future__ import annotations

from coding.suggestions.definitions import DefinitionWords
from coding.suggestions.ranking import CodeProfile, Example, Ranker
from coding.suggestions.vectors import Passage

PROFILES = [
    CodeProfile(1, "Inwestycje", "Przyciąganie inwestorów, inwestycje i miejsca pracy.",
                examples=[Example("Fabryka z Chengdu da nam trzysta miejsc pracy.", 11),
                          Example("Prezydent spotkał się z firmami w parku przemysłowym.", 12)]),
    CodeProfile(2, "Edukacja", "Wymiany uczniów i studentów, współpraca szkół i uczelni.",
                examples=[Example("Licea prowadzą wymianę uczniów z Ningbo od lat.", 21),
                          Example("Politechnika podpisała podwójny dyplom z kampusem.", 22)]),
]


def passages(*texts: str) -> list[Passage]:
    return [Passage(1, i * 1000, i * 1000 + len(text), text) for i, text in enumerate(texts)]


def test_definition_stems_match_inflected_forms_and_ignore_other_codes_words():
    words = DefinitionWords([p.description for p in PROFILES],
                            ["Inwestorzy z Azji szukali terenów."])
    investors, students = words.cosines(["Inwestorzy z Azji szukali terenów.",
                                         "Studentami opiekowała się uczelnia."])
    assert investors[0] > 0 and investors[1] == 0
    assert students[1] > 0 and students[0] == 0


def test_a_passage_unlike_every_coding_is_suggested_from_its_definition_words():
    found = passages("Zagraniczni inwestorzy pytali o ulgi, zanim przyszli do nas.",
                     "Pytali o ulgi podatkowe w strefie.")
    (first, *_rest) = Ranker([*PROFILES], found).rank(found)
    assert (first.passage, first.code_id, first.like_coding_id) == (found[0], 1, None)
    assert first.reason == "Words of the code's definition: inwestycje"


def test_a_passage_like_an_earlier_coding_quotes_it():
    found = passages("Fabryka z Ningbo da nam dwieście miejsc pracy.")
    (first, *_rest) = Ranker([*PROFILES], found).rank(found)
    assert (first.code_id, first.like_coding_id) == (1, 11)
    assert first.reason.startswith("Like an earlier coding: “Fabryka z Chengdu")


def test_a_passage_with_the_codes_name_that_is_like_a_coding_quotes_the_coding():
    agreements = CodeProfile(3, "Agreements", examples=[Example(
        "We met them twice in spring. The city signed an agreement with Chengdu.", 31)])
    found = passages("The city signed an agreement with Chengdu last year, said the mayor.")
    (first,) = Ranker([agreements], found).rank(found)
    assert (first.code_id, first.like_coding_id) == (3, 31)
    assert first.reason.startswith("Like an earlier coding: “We met them twice")
