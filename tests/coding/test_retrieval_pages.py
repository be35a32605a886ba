"""A retrieval of codes alone is counted and paged by the database: its pages hold what the
whole answer holds, in the same order, with a coder's filter and sub-codes as before."""

from __future__ import annotations

from coding.models import Coding
from coding.retrieval import PAGE_SIZE, Filters, Query, retrieve, retrieve_page
from fieldwork.extensions import db

TEXT = "The city signed an agreement with a Chinese partner. " * 40


def test_pages_of_a_retrieval_are_the_whole_answer_in_order(project, people, make_source,
                                                            make_code):
    sources = [make_source(TEXT, title=f"Notes {n}") for n in range(3)]
    trade = make_code("Trade")
    exports, staff = make_code("Exports", parent=trade), make_code("Staff")
    coders = [people["coder"], people["lead"]]
    db.session.add_all([
        Coding(project_id=project.id, source_id=sources[n % 3].id,
               code_id=(trade, exports, staff)[n % 3].id, coder_id=coders[n % 2].id,
               start=(n * 37) % 1500, end=(n * 37) % 1500 + 20, quote="")
        for n in range(2 * PAGE_SIZE + 30)])
    db.session.flush()
    for query in (Query(codes=(trade.id,)), Query(codes=(trade.id,), with_subcodes=False),
                  Query(codes=(exports.id,), other_codes=(staff.id,)),
                  Query(codes=(trade.id,), filters=Filters(coder=people["lead"].id))):
        whole = retrieve(project, query)
        pages = [retrieve_page(project, query, page) for page in (1, 2, 3, 4)]
        assert [ids for ids, _total in pages] == [
            whole[start:start + PAGE_SIZE] for start in range(0, 4 * PAGE_SIZE, PAGE_SIZE)]
        assert {total for _ids, total in pages} == {len(whole)}
    assert len(retrieve(project, Query(codes=(trade.id,)))) > PAGE_SIZE


def test_blind_coding_pages_only_the_coders_own(project, people, make_source, make_code,
                                                code_words):
    source = make_source()
    trade = make_code("Trade")
    mine = code_words(source, trade, "Wrocławia", coder="coder")
    code_words(source, trade, "Guangzhou", coder="lead")
    query = Query(codes=(trade.id,))
    assert retrieve_page(project, query, 1, visible_coder=people["coder"].id) == ([mine.id], 1)
    other = Query(codes=(trade.id,), filters=Filters(coder=people["lead"].id))
    assert retrieve_page(project, other, 1, visible_coder=people["coder"].id) == ([], 0)
