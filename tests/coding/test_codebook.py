"""The codebook: validation, tree moves, merges that carry codings, splits, archiving, the
starter codebook and the history."""

from __future__ import annotations

import pytest

from coding import codebook
from coding.codebook import CodebookError, CodeFields
from coding.models import Code, CodebookChange, Coding, Memo
from coding.starter import load_starter_codebook
from fieldwork.extensions import db


def test_names_are_unique_among_siblings_and_fields_are_checked(make_code):
    parent = make_code("Areas of cooperation")
    make_code("Business", parent=parent)
    with pytest.raises(CodebookError, match="already a code “Business”"):
        make_code("  business ", parent=parent)
    assert make_code("Business").parent_id is None
    with pytest.raises(CodebookError, match="#RRGGBB"):
        make_code("Tourism", colour="yellow")
    make_code("Culture", shortcut="C")
    with pytest.raises(CodebookError, match="shortcut “c” already"):
        make_code("Science", shortcut="c")


def test_move_keeps_children_and_refuses_cycles(make_code, people):
    goals, economy = make_code("Goals"), make_code("Economy")
    jobs = make_code("Jobs", parent=economy)
    codebook.move_code(economy, goals.id, people["lead"])
    rows = codebook.code_tree([goals, economy, jobs])
    assert [row.path for row in rows] == ["Goals", "Goals › Economy", "Goals › Economy › Jobs"]
    with pytest.raises(CodebookError, match="under itself"):
        codebook.move_code(goals, jobs.id, people["lead"])


def test_merge_moves_codings_memos_and_children_without_duplicates(
        project, make_source, make_code, code_words, people):
    source = make_source()
    trade, business = make_code("Trade"), make_code("Business")
    exports = make_code("Exports", parent=trade)
    code_words(source, trade, "Guangzhou", coder="coder")
    code_words(source, business, "Guangzhou", coder="coder")
    code_words(source, trade, "Urząd miasta", coder="lead")
    db.session.add(Memo(project_id=project.id, code_id=trade.id, body="about trade"))
    db.session.flush()
    moved = codebook.merge_codes(trade, business, people["lead"])
    assert moved == 1
    assert db.session.get(Code, trade.id) is None
    assert exports.parent_id == business.id
    assert {(c.code_id, c.coder_id) for c in db.session.scalars(db.select(Coding))} == {
        (business.id, people["coder"].id), (business.id, people["lead"].id)}
    assert db.session.scalar(db.select(Memo.code_id)) == business.id
    (change,) = [c for c in codebook.codebook_history(project) if c.action == "merged"]
    assert change.summary == "Merged “Trade” into “Business” (1 codings moved)"


def test_merge_into_own_child_is_refused(make_code, people):
    parent = make_code("Parent")
    child = make_code("Child", parent=parent)
    with pytest.raises(CodebookError, match="merge the other way"):
        codebook.merge_codes(parent, child, people["lead"])


def test_split_gives_chosen_codings_to_a_new_sibling(make_source, make_code, code_words, people):
    source = make_source()
    area = make_code("Areas")
    transport = make_code("Transport", parent=area)
    keep = code_words(source, transport, "Guangzhou")
    move = code_words(source, transport, "Urząd miasta")
    new = codebook.split_code(transport, CodeFields(name="Administration"), [move.id],
                              people["lead"])
    assert new.parent_id == area.id
    assert (keep.code_id, move.code_id) == (transport.id, new.id)
    with pytest.raises(CodebookError, match="Choose the codings"):
        codebook.split_code(transport, CodeFields(name="Other"), [], people["lead"])


def test_archive_keeps_codings_and_restore_brings_it_back(make_source, make_code, code_words,
                                                         people):
    source = make_source()
    code = make_code("Old theme", shortcut="o")
    coding = code_words(source, code, "Guangzhou")
    codebook.archive_code(code, people["lead"])
    assert code.archived and code.shortcut == ""
    assert db.session.get(Coding, coding.id) is not None
    codebook.restore_code(code, people["lead"])
    assert not code.archived


def test_starter_codebook_loads_once_with_its_tree(project, people):
    expected = sum(len(top.walk()) for top in load_starter_codebook())
    assert codebook.load_starter(project, people["lead"]) == expected
    assert codebook.load_starter(project, people["lead"]) == 0
    paths = set(codebook.code_paths(project).values())
    assert "Areas of cooperation › Health care" in paths
    assert "Perceptions of Chinese partners › Concerns and criticism" in paths
    assert len(paths) == expected


def test_every_change_is_in_the_history_with_who_and_what(project, make_code, people):
    code = make_code("Goals", definition="old")
    codebook.update_code(code, CodeFields(name="Goals of cities", definition="new"),
                         people["lead"])
    history = codebook.codebook_history(project)
    assert [c.action for c in history] == ["edited", "created"]
    assert history[0].details == {"name": ["Goals", "Goals of cities"],
                                  "definition": ["old", "new"]}
    assert all(c.user_id == people["lead"].id for c in history)
    assert db.session.scalar(db.select(db.func.count()).select_from(CodebookChange)) == 2
