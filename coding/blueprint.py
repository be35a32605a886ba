"""The coding feature's URL table and its Feature declaration."""

from __future__ import annotations

from flask import Blueprint

from coding.demo import add_demo_coding
from coding.live import connect_publishing
from coding.receivers import connect_receivers
from coding.views import (
    agreement,
    analysis,
    codebook,
    exchange,
    exports,
    live,
    memos,
    sources,
    suggestions,
    workbench,
)
from fieldwork.features import Feature, NavItem

bp = Blueprint("coding", __name__)
C = "/projects/<int:project_id>/coding"
POST = ["POST"]
CODING_GROUP = "Coding"
ANALYSIS_GROUP = "Analysis"
FORM = ["GET", "POST"]

bp.add_url_rule(f"{C}/sources/", view_func=sources.source_list)
bp.add_url_rule(f"{C}/sources/document", view_func=sources.source_add_document, methods=POST)
bp.add_url_rule(f"{C}/sources/from-transcript/<int:transcript_id>",
                view_func=sources.source_from_transcript, methods=POST)
bp.add_url_rule(f"{C}/sources/from-partnership-document/<int:partnership_document_id>",
                view_func=sources.source_from_partnership_document, methods=POST)
bp.add_url_rule(f"{C}/sources/<int:source_id>", view_func=sources.source_code)
bp.add_url_rule(f"{C}/sources/<int:source_id>/details", view_func=sources.source_details,
                methods=FORM)
bp.add_url_rule(f"{C}/sources/<int:source_id>/text", view_func=sources.source_text,
                methods=FORM)
bp.add_url_rule(f"{C}/sources/<int:source_id>/file", view_func=sources.source_file)

bp.add_url_rule(f"{C}/sources/<int:source_id>/data", view_func=workbench.coding_data)
bp.add_url_rule(f"{C}/sources/<int:source_id>/codings", view_func=workbench.coding_apply,
                methods=POST)
bp.add_url_rule(f"{C}/sources/<int:source_id>/in-vivo", view_func=workbench.coding_in_vivo,
                methods=POST)
bp.add_url_rule(f"{C}/sources/<int:source_id>/live", view_func=live.live_stream)
bp.add_url_rule(f"{C}/sources/<int:source_id>/live/poll", view_func=live.live_poll)
bp.add_url_rule(f"{C}/sources/<int:source_id>/live/leave", view_func=live.live_leave,
                methods=POST)
bp.add_url_rule(f"{C}/codings/<int:coding_id>", view_func=workbench.coding_detail)
bp.add_url_rule(f"{C}/codings/<int:coding_id>/remove", view_func=workbench.coding_remove,
                methods=POST)
bp.add_url_rule(f"{C}/codings/<int:coding_id>/code", view_func=workbench.coding_change,
                methods=POST)
bp.add_url_rule(f"{C}/codings/<int:coding_id>/memo", view_func=workbench.coding_memo,
                methods=POST)
bp.add_url_rule(f"{C}/codings/<int:coding_id>/reviewed", view_func=workbench.coding_reviewed,
                methods=POST)

bp.add_url_rule(f"{C}/sources/<int:source_id>/suggestions",
                view_func=suggestions.suggestions_list)
bp.add_url_rule(f"{C}/sources/<int:source_id>/suggestions/ask",
                view_func=suggestions.suggestions_start, methods=POST)
bp.add_url_rule(f"{C}/suggestions/<int:suggestion_id>/accept",
                view_func=suggestions.suggestion_accept, methods=POST)
bp.add_url_rule(f"{C}/suggestions/<int:suggestion_id>/reject",
                view_func=suggestions.suggestion_reject, methods=POST)
bp.add_url_rule(f"{C}/passages-like", view_func=suggestions.passages_like)

bp.add_url_rule(f"{C}/codebook/", view_func=codebook.codebook)
bp.add_url_rule(f"{C}/codebook/new", view_func=codebook.code_new, methods=FORM)
bp.add_url_rule(f"{C}/codebook/starter", view_func=codebook.codebook_starter, methods=POST)
bp.add_url_rule(f"{C}/codebook/history", view_func=codebook.codebook_history)
bp.add_url_rule(f"{C}/codebook/settings", view_func=codebook.coding_settings, methods=POST)
bp.add_url_rule(f"{C}/codebook/<int:code_id>", view_func=codebook.code_page)
bp.add_url_rule(f"{C}/codebook/<int:code_id>/edit", view_func=codebook.code_edit, methods=FORM)
bp.add_url_rule(f"{C}/codebook/<int:code_id>/move", view_func=codebook.code_move, methods=POST)
bp.add_url_rule(f"{C}/codebook/<int:code_id>/merge", view_func=codebook.code_merge,
                methods=POST)
bp.add_url_rule(f"{C}/codebook/<int:code_id>/split", view_func=codebook.code_split,
                methods=FORM)
bp.add_url_rule(f"{C}/codebook/<int:code_id>/archive", view_func=codebook.code_archive,
                methods=POST)
bp.add_url_rule(f"{C}/codebook/<int:code_id>/restore", view_func=codebook.code_restore,
                methods=POST)
bp.add_url_rule(f"{C}/codebook/export.qdc", view_func=exchange.codebook_export)
bp.add_url_rule(f"{C}/codebook/import", view_func=exchange.codebook_import, methods=FORM)

bp.add_url_rule(f"{C}/memos/", view_func=memos.memo_list)
bp.add_url_rule(f"{C}/memos/new", view_func=memos.memo_new, methods=FORM)
bp.add_url_rule(f"{C}/memos/<int:memo_id>", view_func=memos.memo_edit, methods=FORM)
bp.add_url_rule(f"{C}/memos/<int:memo_id>/delete", view_func=memos.memo_delete, methods=POST)

bp.add_url_rule(f"{C}/agreement", view_func=agreement.agreement)
bp.add_url_rule(f"{C}/agreement.csv", view_func=agreement.agreement_csv)
bp.add_url_rule(f"{C}/agreement/disagreements", view_func=agreement.disagreements)
bp.add_url_rule(f"{C}/agreement/disagreements/settle",
                view_func=agreement.disagreement_settle, methods=POST)

bp.add_url_rule(f"{C}/exports", view_func=exports.exports, methods=FORM)

bp.add_url_rule(f"{C}/exchange", view_func=exchange.exchange)
bp.add_url_rule(f"{C}/exchange/export", view_func=exchange.project_export, methods=POST)
bp.add_url_rule(f"{C}/exchange/import", view_func=exchange.project_import, methods=POST)
bp.add_url_rule(f"{C}/exchange/coders/<int:identity_id>/join",
                view_func=exchange.join_external_coder, methods=POST)

bp.add_url_rule(f"{C}/retrieve", view_func=analysis.retrieve)
bp.add_url_rule(f"{C}/matrix", view_func=analysis.matrix)
bp.add_url_rule(f"{C}/matrix.xlsx", view_func=analysis.matrix_download)
bp.add_url_rule(f"{C}/overlaps", view_func=analysis.overlaps)
bp.add_url_rule(f"{C}/search", view_func=analysis.full_text)
bp.add_url_rule(f"{C}/search/code", view_func=analysis.full_text_code, methods=POST)
bp.add_url_rule(f"{C}/quotes/", view_func=analysis.quote_bank)
bp.add_url_rule(f"{C}/codings/<int:coding_id>/quote", view_func=analysis.quote_add,
                methods=POST)
bp.add_url_rule(f"{C}/quotes/<int:quote_id>", view_func=analysis.quote_update, methods=POST)
bp.add_url_rule(f"{C}/codings/<int:coding_id>/checked", view_func=analysis.excerpt_check,
                methods=POST)

bp.record_once(lambda _state: connect_receivers())
bp.record_once(lambda _state: connect_publishing())

feature = Feature(
    name="coding",
    blueprint=bp,
    nav=(
        NavItem("Sources", "coding.source_list", "project.view", group=CODING_GROUP),
        NavItem("Codebook", "coding.codebook", "project.view", group=CODING_GROUP),
        NavItem("Memos", "coding.memo_list", "project.view", group=CODING_GROUP),
        NavItem("Agreement", "coding.agreement", "project.view", group=CODING_GROUP),
        NavItem("REFI-QDA exchange", "coding.exchange", "project.view", group=CODING_GROUP),
        NavItem("Excerpts", "coding.retrieve", "project.view", group=ANALYSIS_GROUP),
        NavItem("Matrices", "coding.matrix", "project.view", group=ANALYSIS_GROUP),
        NavItem("Search", "coding.full_text", "project.view", group=ANALYSIS_GROUP),
        NavItem("Quote bank", "coding.quote_bank", "project.view", group=ANALYSIS_GROUP),
        NavItem("Exports", "coding.exports", "analysis.export", group=ANALYSIS_GROUP),
        NavItem("Exports and imports made", "background.task_list", "project.view",
                group=ANALYSIS_GROUP),
    ),
    demo=add_demo_coding,
)
