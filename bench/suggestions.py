"""Code suggestions: how good, how fast, how much memory.

Quality: on coded passages (the demo project's field notes, and bench/suggestion_corpus.py in
English, Polish and Czech), learn from 80 % of the codings and suggest codes for the passages
of the other 20 %; precision and recall of the top 3 codes per passage, against keyword
baselines that rank codes by the words of their name and definition found in the passage
(whole words; and words cut to their first five letters, a crude stemmer). A second, harder
split holds out whole sentence templates, so that no test sentence was seen in training.
The model's weights (coding/suggestions/ranking.py) are chosen with `--validate`, on
validation passages cut from the training part only: for the unseen split, each third of the
training templates held out in turn (three folds); for the random split, 80/20 of the
training part. The test passages play no part in that choice.

Speed: suggestions for a 20,000-word Polish source (passages, vectors, ranking), learnt from
400 earlier codings of 8 codes: median of runs (wall and CPU time), and the peak memory the run
allocated (tracemalloc) with the process's peak resident size; then the same through the app's
real background task (Huey, run at once) on a fresh SQLite database, reading the codings and
writing the suggestions; with the whole starter codebook (46 codes) at the most codings the
model learns from; and with the packaged sentence encoder added (SUGGESTION_MODEL =
"ngrams+sentences", the default since 2026-12-07), which is also measured for quality.
"Passages like this": one sentence against a project of ten such sources.

usage (from the project folder): python -m bench.suggestions [--runs N] [--validate]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

from bench.common import bench_app
from bench.suggestion_corpus import CODES, CodedPassage, coded_passages, long_source
from coding.codings import apply_codes
from coding.demo import DEMO_CODINGS, DEMO_NOTES
from coding.models import Code, CodeSuggestion, Source
from coding.sources import document_paragraphs
from coding.starter import load_starter_codebook
from coding.suggestions.ranking import MIN_SCORE, CodeProfile, Example, Ranker
from coding.suggestions.sentences import sentence_encoder
from coding.suggestions.similar import MAX_RESULTS, most_alike
from coding.suggestions.vectors import Passage, passages_of
from coding.tasks import queue_suggestions
from fieldwork.background import submit
from fieldwork.extensions import db
from fieldwork.models import Membership, Project, User
from fieldwork.permissions import LEAD

TOP = 3
TRAIN_SHARE = 0.8
PASSAGES_PER_LANGUAGE = 500
WORDS = 20_000
EARLIER_CODINGS = 400
WORD = re.compile(r"\w{4,}", re.UNICODE)
Predict = Callable[[list[CodeProfile], list[CodedPassage]], list[list[str]]]


def scores(predicted: list[list[str]], gold: list[frozenset[str]]) -> dict[str, float]:
    hits = sum(len(set(p) & g) for p, g in zip(predicted, gold, strict=True))
    made = sum(len(p) for p in predicted)
    wanted = sum(len(g) for g in gold)
    precision = hits / made if made else 0.0
    recall = hits / wanted if wanted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def model_top(min_score: float, sentences: bool = False) -> Predict:
    def predict(profiles: list[CodeProfile], test: list[CodedPassage]) -> list[list[str]]:
        passages = [Passage(0, i, i + 1, p.text) for i, p in enumerate(test)]
        names = {p.code_id: p.name for p in profiles}
        predicted: list[list[str]] = [[] for _ in test]
        embed = sentence_encoder() if sentences else None
        for s in Ranker(profiles, passages, embed).rank(passages, TOP, min_score):
            predicted[s.passage.start].append(names[s.code_id])
        return predicted

    return predict


def keyword_top(letters: int | None) -> Predict:
    """Codes ranked by how many of their name's and definition's words the passage has."""

    def words(text: str) -> set[str]:
        return {w[:letters] if letters else w for w in WORD.findall(text.casefold())}

    def predict(profiles: list[CodeProfile], test: list[CodedPassage]) -> list[list[str]]:
        keys = [(p.name, words(p.name + " " + p.definition)) for p in profiles]
        result = []
        for passage in test:
            have = words(passage.text)
            ranked = sorted(((len(k & have), name) for name, k in keys), reverse=True)
            result.append([name for count, name in ranked[:TOP] if count > 0])
        return result

    return predict


METHODS: dict[str, Predict] = {
    "suggestions (top 3)": model_top(float("-inf")),
    f"suggestions (top 3, score ≥ {MIN_SCORE})": model_top(MIN_SCORE),
    "with sentence encoder (top 3)": model_top(float("-inf"), sentences=True),
    f"with sentence encoder (top 3, score ≥ {MIN_SCORE})": model_top(MIN_SCORE, sentences=True),
    "keywords, whole words": keyword_top(None),
    "keywords, first 5 letters": keyword_top(5),
}


def profiles_for(language: str, train: list[CodedPassage]) -> list[CodeProfile]:
    return [CodeProfile(i, name, CODES[name][language][0],
                        examples=[Example(p.text) for p in train if name in p.codes])
            for i, name in enumerate(CODES)]


def random_split(passages: list[CodedPassage]) -> tuple[list[CodedPassage], list[CodedPassage]]:
    shuffled = passages[:]
    random.Random(3).shuffle(shuffled)
    cut = int(len(shuffled) * TRAIN_SHARE)
    return shuffled[:cut], shuffled[cut:]


def held_templates(language: str, templates: slice) -> list[str]:
    return [template.split("{")[0][:25] for name in CODES
            for template in CODES[name][language][1][templates]]


def unseen_split(language: str, passages: list[CodedPassage], templates: slice = slice(-2, None)
                 ) -> tuple[list[CodedPassage], list[CodedPassage]]:
    """Test passages hold a sentence of one of the `templates` of a code (the last two);
    training passages none."""
    held = held_templates(language, templates)

    def unseen(p: CodedPassage) -> bool:
        return any(h.casefold() in p.text.casefold() for h in held)

    return [p for p in passages if not unseen(p)], [p for p in passages if unseen(p)]


def validation_sets(language: str) -> dict[str, list[tuple[list[CodedPassage],
                                                              list[CodedPassage]]]]:
    """Training and validation passages cut from the training part of each split only."""
    passages = coded_passages(language, PASSAGES_PER_LANGUAGE)
    train, _test = unseen_split(language, passages)
    folds = [unseen_split(language, train, slice(2 * k, 2 * k + 2)) for k in range(3)]
    return {"unseen sentences, 3 folds": folds,
            "random 80/20": [random_split(random_split(passages)[0])]}


def validation_figures() -> dict[str, dict]:
    """Mean F1 over the validation folds of each split, with the mean precision and recall."""
    figures = {}
    for language in ("en", "pl", "cs"):
        for split, folds in validation_sets(language).items():
            runs = [evaluate(profiles_for(language, train), test) for train, test in folds]
            figures[f"{language}, {split}"] = {
                name: {measure: round(sum(r[name][measure] for r in runs) / len(runs), 3)
                       for measure in ("precision", "recall", "f1")} for name in METHODS}
    return figures


def evaluate(profiles: list[CodeProfile], test: list[CodedPassage]) -> dict[str, dict]:
    gold = [p.codes for p in test]
    return {name: scores(method(profiles, test), gold) for name, method in METHODS.items()}


def corpus_figures() -> dict[str, dict]:
    figures = {}
    for language in ("en", "pl", "cs"):
        passages = coded_passages(language, PASSAGES_PER_LANGUAGE)
        train, test = random_split(passages)
        figures[f"{language}, random 80/20"] = {
            "train": len(train), "test": len(test),
            **evaluate(profiles_for(language, train), test)}
        train, test = unseen_split(language, passages)
        figures[f"{language}, unseen sentences"] = {
            "train": len(train), "test": len(test),
            **evaluate(profiles_for(language, train), test)}
    return figures


def demo_figures() -> dict[str, dict]:
    """The demo's field notes: passages holding a coding, split 80/20 by coding."""
    text = DEMO_NOTES.strip()
    passages = passages_of(0, text, document_paragraphs(text))
    codings = [(words, code) for words, code, _coders in DEMO_CODINGS]
    random.Random(3).shuffle(codings)
    cut = round(len(codings) * TRAIN_SHARE)
    starter = [code for top in load_starter_codebook() for code in top.walk()]
    profiles = [CodeProfile(i, c.name, c.definition, c.when_to_use, c.when_not_to_use,
                            c.example, [Example(w) for w, name in codings[:cut] if name == c.name])
                for i, c in enumerate(starter)]
    test = []
    for words, _code in codings[cut:]:
        at = text.index(words)
        passage = next(p for p in passages if p.start <= at < p.end)
        gold = frozenset(name for w, name in codings[cut:]
                         if passage.start <= text.index(w) < passage.end)
        test.append(CodedPassage(passage.text, gold))
    return {"demo, 80/20": {"train": cut, "test": len(test), "codes": len(profiles),
                            **evaluate(profiles, test)}}


def timing(runs: int) -> dict[str, float]:
    text = long_source("pl", WORDS)
    earlier = coded_passages("pl", EARLIER_CODINGS, seed=29)
    profiles = profiles_for("pl", earlier)
    paragraphs = document_paragraphs(text)

    def suggest() -> int:
        passages = passages_of(1, text, paragraphs)
        return len(Ranker(profiles, passages).rank(passages))

    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        made = suggest()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    tracemalloc.start()
    suggest()
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"words": len(text.split()), "passages": len(passages_of(1, text, paragraphs)),
            "suggestions": made, "median_s": round(statistics.median(times), 3),
            "slowest_s": round(max(times), 3), "median_cpu_s": round(statistics.median(cpu), 3),
            "allocated_peak_mb": round(peak / 2**20, 1),
            "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                         / 1024, 1),
            "full_codebook_s": full_codebook_time(text, paragraphs),
            "with_sentence_encoder_s": sentence_time(text, paragraphs, profiles)}


def sentence_time(text: str, paragraphs: list[dict], profiles: list[CodeProfile]) -> float:
    """The same with the sentence encoder (loaded beforehand, as a worker keeps it)."""
    embed = sentence_encoder()
    started = time.perf_counter()
    passages = passages_of(1, text, paragraphs)
    Ranker(profiles, passages, embed).rank(passages)
    return round(time.perf_counter() - started, 3)


def full_codebook_time(text: str, paragraphs: list[dict]) -> float:
    """The same source with every code of the starter codebook (46) holding 150 codings: the
    most rows the model learns from (MAX_ROWS)."""
    texts = [p.text for language in ("en", "pl", "cs")
             for p in coded_passages(language, PASSAGES_PER_LANGUAGE, seed=3)]
    profiles = [CodeProfile(i, code.name, code.definition,
                            examples=[Example(texts[(i * 150 + j) % len(texts)])
                                      for j in range(150)])
                for i, code in enumerate(c for top in load_starter_codebook()
                                         for c in top.walk())]
    started = time.perf_counter()
    passages = passages_of(1, text, paragraphs)
    Ranker(profiles, passages).rank(passages)
    return round(time.perf_counter() - started, 3)


def passages_like_time(sources: int) -> dict[str, float]:
    """Passages like one sentence, across a project of `sources` 20,000-word sources."""
    passages = []
    for n in range(sources):
        text = long_source("pl", WORDS, seed=n)
        passages.extend(passages_of(n, text, document_paragraphs(text)))
    started = time.perf_counter()
    found = most_alike(passages, passages[0].text, MAX_RESULTS)
    return {"sources": sources, "passages": len(passages), "found": len(found),
            "seconds": round(time.perf_counter() - started, 3)}


def document(project: Project, title: str, text: str) -> Source:
    source = Source(project_id=project.id, kind="document", title=title, text=text,
                    paragraphs=document_paragraphs(text))
    db.session.add(source)
    db.session.flush()
    return source


def coded_project() -> tuple[Project, User, Source]:
    """A project with the 8 codes, EARLIER_CODINGS codings of a Polish document, and the
    20,000-word Polish source to suggest codes for."""
    user = User(email="bench@example.org", name="Bench", password_hash="-")
    project = Project(name="Bench")
    db.session.add_all([user, project])
    db.session.flush()
    db.session.add(Membership(project=project, user=user, role=LEAD))
    codes = {name: Code(project_id=project.id, name=name, definition=CODES[name]["pl"][0])
             for name in CODES}
    db.session.add_all(codes.values())
    earlier = coded_passages("pl", EARLIER_CODINGS, seed=29)
    notes = document(project, "Earlier interviews", "\n\n".join(p.text for p in earlier))
    at = 0
    for passage in earlier:
        apply_codes(notes, [codes[name].id for name in passage.codes], at,
                    at + len(passage.text), notes.text_version, user)
        at += len(passage.text) + 2
    source = document(project, "Wywiad", long_source("pl", WORDS))
    db.session.commit()
    return project, user, source


def task_timing(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        app, _url = bench_app(folder, JOBS_IMMEDIATE=True)
        with app.app_context():
            project, user, source = coded_project()
            times, cpu = [], []
            for _ in range(runs):
                task = queue_suggestions(project, source, user, "all")
                db.session.commit()
                started, cpu_started = time.perf_counter(), time.process_time()
                submit(task)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            stored = db.session.scalar(db.select(db.func.count()).select_from(CodeSuggestion))
            db.session.remove()
            db.engine.dispose()
    return {"median_s": round(statistics.median(times), 3), "slowest_s": round(max(times), 3),
            "median_cpu_s": round(statistics.median(cpu), 3), "suggestions_stored": stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--validate", action="store_true",
                        help="only the validation folds cut from the training part, on which "
                             "the model's weights are chosen")
    args = parser.parse_args()
    if args.validate:
        print(json.dumps({"bench": "suggestions, validation", "validation": validation_figures(),
                          "load_average": [round(x, 2) for x in os.getloadavg()]},
                         ensure_ascii=False))
        return
    print(json.dumps({
        "bench": "suggestions", "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "quality": {**demo_figures(), **corpus_figures()},
        "time_20000_words": timing(args.runs),
        "task_20000_words_sqlite": task_timing(args.runs),
        "passages_like": passages_like_time(10),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
