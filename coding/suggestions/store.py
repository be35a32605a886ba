"""Suggestions kept for a coder: made for a source (all of it, or what is still uncoded:
`making`), saved, listed, accepted (a coding of theirs, marked as from a suggestion, in the
audit log too; a coding they made by hand of the same words with the same code is left as it
is) or rejected (never offered again for the same words and code). Functions only flush."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coding.codings import CodingError, apply_codes, codes_with_earlier_codings
from coding.models import Code, CodeSuggestion, Coding, Source
from coding.models.suggestions import ACCEPTED, PENDING, REJECTED
from fieldwork import audit
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User

if TYPE_CHECKING:
    from coding.suggestions.making import Made

SCOPES = {"all": "the whole source", "uncoded": "what is still uncoded"}
QUOTE_IN_LOG = 80


def save_suggestions(project: Project, made: Made) -> int:
    """Replace the coder's pending suggestions on the source with those made; how many."""
    db.session.execute(db.delete(CodeSuggestion).where(
        CodeSuggestion.source_id == made.source_id, CodeSuggestion.user_id == made.user_id,
        CodeSuggestion.status == PENDING))
    for s in made.suggestions:
        db.session.add(CodeSuggestion(
            project_id=project.id, source_id=made.source_id, code_id=s.code_id,
            user_id=made.user_id, start=s.passage.start, end=s.passage.end,
            text_version=made.text_version, quote=s.passage.text, score=round(s.score, 4),
            reason=s.reason, like_coding_id=s.like_coding_id, status=PENDING))
    db.session.flush()
    return len(made.suggestions)


def pending_suggestions(source: Source, user: User) -> list[CodeSuggestion]:
    """The coder's suggestions on the source still to decide, for its current text."""
    return list(db.session.scalars(db.select(CodeSuggestion).where(
        CodeSuggestion.source_id == source.id, CodeSuggestion.user_id == user.id,
        CodeSuggestion.status == PENDING, CodeSuggestion.text_version == source.text_version)
        .order_by(CodeSuggestion.start, CodeSuggestion.score.desc())))


def decidable(suggestion: CodeSuggestion, user: User) -> Source:
    if suggestion.user_id != user.id:
        raise CodingError("This suggestion was made for another coder.")
    if suggestion.status != PENDING:
        raise CodingError("This suggestion was already " + suggestion.status + ".")
    source = db.session.get(Source, suggestion.source_id)
    if suggestion.text_version != source.text_version:
        raise CodingError("The text was changed since this suggestion was made. Ask for "
                          "suggestions again.")
    return source


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_IN_LOG else text[:QUOTE_IN_LOG].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class Accepted:
    """The coding an accepted suggestion became, or the coder's own coding of the same words
    with the same code that was there already (`by_hand`, left as it was)."""

    coding: Coding
    by_hand: bool


def coding_already_there(source: Source, suggestion: CodeSuggestion, user: User
                         ) -> Coding | None:
    """The coder's coding of the suggestion's very words with its code, made before."""
    ((_code, coding),) = codes_with_earlier_codings(source, [suggestion.code_id], user,
                                                    suggestion.start, suggestion.end)
    return coding


def accept(suggestion: CodeSuggestion, user: User) -> Accepted:
    """Make the suggestion a coding of the coder's, marked as from a suggestion; when they
    already coded these words with the code, their coding stays as it is (not marked)."""
    source = decidable(suggestion, user)
    project = db.session.get(Project, suggestion.project_id)
    code = db.session.get(Code, suggestion.code_id)
    earlier = coding_already_there(source, suggestion, user)
    suggestion.status, suggestion.decided_at = ACCEPTED, utcnow()
    if earlier is not None:
        db.session.flush()
        audit.record("coding.suggestion_already_coded", suggestion, project=project,
                     user_id=user.id, summary=f"Accepted “{code.name}” suggested for "
                     f"“{short(suggestion.quote)}”, already coded so by hand: left as it was",
                     coding=earlier.id, source=source.id)
        return Accepted(earlier, by_hand=True)
    (coding,) = apply_codes(source, [suggestion.code_id], suggestion.start, suggestion.end,
                            source.text_version, user)
    suggestion.coding_id = coding.id
    db.session.flush()
    audit.record("coding.suggestion_accepted", coding, project=project, user_id=user.id,
                 summary=f"Coded “{short(suggestion.quote)}” with “{code.name}” from a "
                         f"suggestion", suggestion=suggestion.id, source=source.id)
    return Accepted(coding, by_hand=False)


def reject(suggestion: CodeSuggestion, user: User) -> None:
    """Turn the suggestion down: the same words are not suggested for the code again."""
    source = decidable(suggestion, user)
    project = db.session.get(Project, suggestion.project_id)
    suggestion.status, suggestion.decided_at = REJECTED, utcnow()
    db.session.flush()
    code = db.session.get(Code, suggestion.code_id)
    audit.record("coding.suggestion_rejected", suggestion, project=project, user_id=user.id,
                 summary=f"Turned down “{code.name}” suggested for “{short(suggestion.quote)}”",
                 source=source.id)


def suggestion_payload(suggestion: CodeSuggestion) -> dict[str, Any]:
    return {"id": suggestion.id, "code": suggestion.code_id, "codeName": suggestion.code.name,
            "colour": suggestion.code.colour, "start": suggestion.start,
            "end": suggestion.end, "reason": suggestion.reason,
            "score": round(suggestion.score, 3), "quote": short(suggestion.quote)}
