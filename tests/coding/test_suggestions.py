"""Code suggestions on the real database with real Huey tasks (run at once in the tests):
ranking a new Polish transcript from earlier codings and the codebook, accepting (a coding
marked as from a suggestion, in the audit log; words already coded by hand are left as they
were) and rejecting (never offered again), other coders' suggestions and changed texts
refused, blind coding, pending suggestions never counted in agreement, retrieval or exports,
and passages like a coding across the project."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from coding.codings import apply_codes, set_blind, viewer_in
from coding.comparison import compare_coders
from coding.exports import ExportOptions, make_export
from coding.models import Code, CodeSuggestion, Coding, Source
from coding.refi import project_qdpx
from coding.retrieval import Query, load_codings, retrieve
from coding.sources import replace_text
from coding.suggestions import making, store
from coding.suggestions.vectors import passages_of
from fieldwork.extensions import db
from fieldwork.models import AuditEntry, BackgroundTask, Membership
from fieldwork.permissions import CODER, LEAD

EARLIER = """\
Najważniejsze dla miasta były inwestycje chińskich firm w strefie ekonomicznej.
Liczyliśmy na inwestorów z Guangzhou i na nowe miejsca pracy.
Chińska firma zbudowała fabrykę autobusów i zatrudniła trzystu pracowników.

Studenci naszego uniwersytetu wyjeżdżają na wymiany do Chengdu.
Uczelnie podpisały porozumienie o wymianie studentów i wykładowców.
Letnia szkoła dla studentów odbywa się co roku na politechnice.

W urzędzie jedna osoba zajmuje się wszystkimi partnerstwami zagranicznymi.
Wydział współpracy zagranicznej ma tylko dwóch pracowników.
"""

NEW = """\
Miasto szuka inwestorów z Chin, którzy zbudują fabrykę i dadzą ludziom pracę.
W przyszłym roku studenci z Chengdu przyjadą na wymianę na nasz uniwersytet.
Sprawami partnerstw zajmuje się w urzędzie jedna osoba, bez pomocy.
Pogoda w czasie naszej wizyty była bardzo deszczowa i zimna.
Chińscy inwestorzy pytali o ulgi podatkowe w strefie ekonomicznej.
Wymiana studentów i letnia szkoła to najtrwalsza część współpracy.
"""

#: (code, its definition, sentences of EARLIER it was coded on)
CODES = {
    "Investment": ("Foreign direct investment and investors from the partner country.",
                   ["Najważniejsze dla miasta", "Liczyliśmy na inwestorów", "Chińska firma"]),
    "Education": ("Student and academic exchanges between universities.",
                  ["Studenci naszego", "Uczelnie podpisały", "Letnia szkoła"]),
    "Staff": ("The people the city has for its international relations.",
              ["W urzędzie jedna", "Wydział współpracy"]),
}


def sentence(source: Source, begins: str) -> tuple[int, int]:
    start = source.text.index(begins)
    return start, source.text.index("\n", start)


@pytest.fixture
def third(project, make_user):
    """A third coder, new to the project."""
    user = make_user("Ewa")
    db.session.add(Membership(project=project, user=user, role=CODER))
    db.session.flush()
    return user


@pytest.fixture
def codes(project, people, make_source, make_code):
    earlier = make_source(EARLIER, title="Wywiad 1")
    made = {}
    for name, (definition, sentences) in CODES.items():
        made[name] = make_code(name, definition=definition)
        for begins in sentences:
            start, end = sentence(earlier, begins)
            apply_codes(earlier, [made[name].id], start, end, earlier.text_version,
                        people["coder"])
    db.session.flush()
    return made


@pytest.fixture
def new_source(make_source):
    return make_source(NEW, title="Wywiad 2 (nowy)")


def ask(client, project, source, scope="all"):
    response = client.post(f"/projects/{project.id}/coding/sources/{source.id}/suggestions/ask",
                           json={"scope": scope})
    assert response.status_code == 200, response.json
    listed = client.get(response.json["url"])
    assert listed.json["state"] == "done", listed.json
    return listed.json


def suggested(data, codes):
    names = {code.id: name for name, code in codes.items()}
    return {(names[s["code"]], NEW[s["start"]:s["end"]].split()[0]) for s in data["suggestions"]}


def decide(client, project, suggestion, what):
    return client.post(f"/projects/{project.id}/coding/suggestions/{suggestion['id']}/{what}")


def test_passages_are_sentences_within_paragraphs():
    text = "Dr. Nowak przyjechał. Tak.\n\nSpolupráce Brna s čínskými městy se zpomalila! Ano?"
    spans = [p.text for p in passages_of(1, text, [{"start": 0, "end": 26},
                                                    {"start": 28, "end": len(text)}])]
    # a sentence under SHORT_PASSAGE characters joins the next one
    assert spans == ["Dr. Nowak przyjechał. Tak.",
                     "Spolupráce Brna s čínskými městy se zpomalila! Ano?"]


def test_a_third_coder_gets_the_right_codes_on_a_new_polish_transcript(
        project, people, codes, new_source, third, client_for):
    data = ask(client_for(third), project, new_source)
    task = db.session.scalar(db.select(BackgroundTask).order_by(BackgroundTask.id.desc()))
    assert (task.kind, task.status) == ("coding.suggest", "done")
    assert "suggestions for 6 passages" in task.report["lines"][0]
    found = suggested(data, codes)
    assert {("Investment", "Miasto"), ("Education", "W"), ("Staff", "Sprawami"),
            ("Investment", "Chińscy"), ("Education", "Wymiana")} <= found
    # the weather is like no code: nothing suggests it, as the best code of no passage
    assert not any(word == "Pogoda" for _name, word in found)
    best = {}
    for s in data["suggestions"]:
        best.setdefault(NEW[s["start"]:s["end"]].split()[0], s)
    assert best["Sprawami"]["code"] == codes["Staff"].id
    assert best["Sprawami"]["reason"].startswith("Like an earlier coding: “W urzędzie jedna")
    assert "Universal Sentence Encoder, multilingual v3" in data["model"]
    assert data["licence"].endswith("the sentence encoder: Apache-2.0")
    # nothing was coded by asking
    assert db.session.scalar(db.select(db.func.count()).select_from(Coding).where(
        Coding.source_id == new_source.id)) == 0


def test_accepting_three_and_rejecting_two(project, people, codes, new_source, third,
                                           client_for):
    client = client_for(third)
    data = ask(client, project, new_source)
    chosen = data["suggestions"][:5]
    for s in chosen[:3]:
        response = decide(client, project, s, "accept")
        assert response.status_code == 200
        assert response.json["coding"]["fromSuggestion"] is True
    for s in chosen[3:]:
        assert decide(client, project, s, "reject").json == {"rejected": s["id"]}

    made = db.session.scalars(db.select(Coding).where(Coding.source_id == new_source.id)
                              .order_by(Coding.start)).all()
    assert [(c.coder_id, c.code_id, c.start, c.end) for c in made] == sorted(
        [(third.id, s["code"], s["start"], s["end"]) for s in chosen[:3]],
        key=lambda row: row[2])
    audit = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action.like("coding.suggestion_%")).order_by(AuditEntry.id)).all()
    assert [e.action for e in audit] == ["coding.suggestion_accepted"] * 3 + [
        "coding.suggestion_rejected"] * 2
    assert audit[0].user_id == third.id and audit[0].object_type == "Coding"
    assert "from a suggestion" in audit[0].summary
    assert "Turned down" in audit[3].summary

    # deciding twice is refused in words
    again = decide(client, project, chosen[3], "accept")
    assert again.status_code == 400
    assert again.json["error"] == "This suggestion was already rejected."

    # asked again: neither the rejected nor the accepted come back
    offered = {(s["code"], s["start"]) for s in ask(client, project, new_source)["suggestions"]}
    assert not offered & {(s["code"], s["start"]) for s in chosen}


def test_accepting_words_already_coded_by_hand_leaves_that_coding_as_it_was(
        project, people, codes, new_source, third, client_for):
    client = client_for(third)
    first, second = ask(client, project, new_source)["suggestions"][:2]
    # after the suggestions were made, the coder codes the first one's words by hand
    (by_hand,) = apply_codes(new_source, [first["code"]], first["start"], first["end"],
                             new_source.text_version, third)
    db.session.commit()

    response = decide(client, project, first, "accept")
    assert response.status_code == 200
    assert response.json["byHand"] is True
    assert response.json["coding"]["id"] == by_hand.id
    assert response.json["coding"]["fromSuggestion"] is False
    assert db.session.scalar(db.select(db.func.count()).select_from(Coding).where(
        Coding.source_id == new_source.id)) == 1
    suggestion = db.session.get(CodeSuggestion, first["id"])
    assert (suggestion.status, suggestion.coding_id) == ("accepted", None)
    # a suggestion not coded before still becomes a coding from a suggestion
    other = decide(client, project, second, "accept").json
    assert other["byHand"] is False and other["coding"]["fromSuggestion"] is True

    audit = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action.like("coding.suggestion_%")).order_by(AuditEntry.id)).all()
    assert [(e.action, e.object_type) for e in audit] == [
        ("coding.suggestion_already_coded", "CodeSuggestion"),
        ("coding.suggestion_accepted", "Coding")]
    assert "already coded so by hand: left as it was" in audit[0].summary
    assert audit[0].details["coding"] == by_hand.id


def test_what_is_still_uncoded_leaves_coded_passages_out(project, people, codes, new_source,
                                                         third, client_for):
    apply_codes(new_source, [codes["Staff"].id], 0, 20, new_source.text_version, people["lead"])
    whole = ask(client_for(third), project, new_source, "all")["suggestions"]
    uncoded = ask(client_for(third), project, new_source, "uncoded")["suggestions"]
    assert any(s["start"] == 0 for s in whole)
    assert uncoded and all(s["start"] > 20 for s in uncoded)


def test_another_coders_suggestion_and_a_changed_text_are_refused(
        project, people, codes, new_source, third, client_for):
    data = ask(client_for(third), project, new_source)
    first, second = data["suggestions"][:2]
    refused = decide(client_for(people["coder"]), project, first, "accept")
    assert (refused.status_code, refused.json["error"]) == (
        400, "This suggestion was made for another coder.")
    replace_text(new_source, NEW + "Dopisane.", [{"start": 0, "end": len(NEW) + 9}],
                 people["lead"])
    db.session.flush()
    changed = decide(client_for(third), project, second, "accept")
    assert changed.status_code == 400
    assert "changed since this suggestion was made" in changed.json["error"]
    # the page lists only suggestions for the current text
    assert store.pending_suggestions(new_source, third) == []


def test_under_blind_coding_a_coder_learns_only_from_their_own_codings(
        project, people, codes, new_source, third):
    set_blind(project, True, people["lead"])
    made = making.make_suggestions(project, new_source, viewer_in(project, third, CODER), "all")
    # the third coder has no codings: only the codebook's words can suggest anything
    assert all(not s.reason.startswith("Like an earlier coding") for s in made.suggestions)
    lead = making.make_suggestions(project, new_source, viewer_in(project, people["lead"], LEAD),
                                  "all")
    assert any(s.reason.startswith("Like an earlier coding") for s in lead.suggestions)


def counts(project, people, source, codes):
    """What agreement, retrieval, the CSV export and the .qdpx count on the new source."""
    comparison = compare_coders(project, [source.id], [people["coder"].id, people["lead"].id],
                                [])
    pairs = [p for row in comparison.results.codes for p in row.pairs]
    coded = sum(p.all_text.only_a + p.all_text.only_b + p.all_text.both for p in pairs)
    retrieved = load_codings(retrieve(project, Query(codes=tuple(c.id for c in codes.values()))))
    download = make_export(project, ExportOptions(what="codings_csv",
                                                  source_ids=(source.id,)),
                           people["lead"], LEAD, may_see_identity=True)
    with download.content as file:
        rows = list(csv.DictReader(io.StringIO(file.read().decode("utf-8-sig"))))
    qdpx = project_qdpx(project, viewer_in(project, people["lead"], LEAD))
    with zipfile.ZipFile(io.BytesIO(qdpx.data)) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    return {"agreement": coded,
            "retrieved": len([r for r in retrieved if r.source_id == source.id]),
            "csv": len(rows), "qdpx": qdpx.codings, "selections": qde.count("<Coding ")}


def test_pending_suggestions_never_count_until_accepted(project, people, codes, new_source,
                                                        client_for):
    start, end = sentence(new_source, "Pogoda")
    apply_codes(new_source, [codes["Staff"].id], start, end, new_source.text_version,
                people["coder"])
    before = counts(project, people, new_source, codes)
    assert (before["agreement"], before["retrieved"], before["csv"]) == (end - start, 1, 1)
    data = ask(client_for(people["lead"]), project, new_source)
    assert len(data["suggestions"]) >= 5
    assert db.session.scalar(db.select(db.func.count()).select_from(CodeSuggestion)) >= 5
    assert counts(project, people, new_source, codes) == before

    s = next(s for s in data["suggestions"] if s["end"] < start)
    assert decide(client_for(people["lead"]), project, s, "accept").status_code == 200
    after = counts(project, people, new_source, codes)
    assert after["agreement"] == before["agreement"] + s["end"] - s["start"]
    assert (after["retrieved"], after["csv"]) == (2, 2)
    assert (after["qdpx"], after["selections"]) == (before["qdpx"] + 1,
                                                    before["selections"] + 1)


def test_passages_like_a_coding_across_the_project(project, people, codes, new_source,
                                                   client_for):
    coding = db.session.scalar(db.select(Coding).where(Coding.code_id == codes["Staff"].id)
                               .order_by(Coding.id))
    response = client_for(people["viewer"]).get(
        f"/projects/{project.id}/coding/passages-like?coding={coding.id}")
    assert response.status_code == 200
    passages = response.json["passages"]
    assert passages[0]["text"].startswith("Sprawami partnerstw zajmuje się w urzędzie")
    assert passages[0]["codes"] == []
    assert passages[0]["url"].endswith(f"/sources/{new_source.id}?at={passages[0]['start']}")
    # the coding's own words are not an answer
    assert all(not (p["source"] == coding.source_id and p["start"] == coding.start)
               for p in passages)
    short = client_for(people["viewer"]).get(
        f"/projects/{project.id}/coding/passages-like?source={new_source.id}&start=0&end=6")
    assert short.status_code == 400
    assert "three words or more" in short.json["error"]


def test_viewers_may_not_ask_for_suggestions(project, people, new_source, client_for):
    response = client_for(people["viewer"]).post(
        f"/projects/{project.id}/coding/sources/{new_source.id}/suggestions/ask", json={})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Code)) == 0


@pytest.fixture
def ngrams_only(app):
    previous = app.config["SUGGESTION_MODEL"]
    app.config["SUGGESTION_MODEL"] = "ngrams"
    yield
    app.config["SUGGESTION_MODEL"] = previous


def test_without_the_sentence_encoder_the_classifier_alone_still_finds_them(
        project, people, codes, new_source, third, client_for, ngrams_only):
    data = ask(client_for(third), project, new_source)
    assert data["model"].startswith("Fieldwork's own classifier")
    assert "Sentence Encoder" not in data["model"]
    assert "no third-party model" in data["licence"]
    found = suggested(data, codes)
    assert {("Investment", "Miasto"), ("Education", "W"), ("Staff", "Sprawami")} <= found
    assert not any(word == "Pogoda" for _name, word in found)
