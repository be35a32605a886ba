"""The consensus of two coders: their disagreements on chosen sources read from the database,
the lead's decision on each, the consensus codings that follow, and the agreement before and
after. Functions only flush.

The consensus is a coding set like any coder's: codings by the project's consensus coder, an
identity without a login (made on the first decision, named "Consensus"), so that excerpts,
matrices, exports and the agreement page can use it. A source's consensus codings are kept
equal to what its decisions give: the ranges both coders agree on, and the outcome of each
settled disagreement; an unsettled disagreement adds nothing yet. Every decision on chosen
sources brings the consensus of all of them up to date, so that the figures "after" cover
them all. A source's consensus belongs to the pair of coders whose decisions it holds; another
pair cannot settle there until those decisions are undone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coding.agreement import AgreementResults, SourceInfo, compute_agreement
from coding.codings import MAX_QUOTE, project_coders, settings_of
from coding.comparison import ComparisonError, alpha_units, chosen_sources
from coding.disagreements import Disagreement, Span, compare_sides
from coding.models import Coding, ConsensusDecision, Source
from fieldwork.dbtypes import utcnow
from fieldwork.extensions import db
from fieldwork.models import Project, User

CONSENSUS_NAME = "Consensus"
#: characters of text shown around a segment
CONTEXT = 80


class ConsensusError(ComparisonError):
    """A review or decision that cannot be made, said in words."""


@dataclass(frozen=True)
class Item:
    """One disagreement on the page: its source, the segment and its decision, if any."""

    source: Source
    segment: Disagreement
    action: str | None
    #: where the segment begins: "paragraph 3", or a transcript's time and speaker
    place: str

    @property
    def anchor(self) -> str:
        return anchor(self.source.id, self.segment)


def anchor(source_id: int, segment: Disagreement) -> str:
    """The id of a segment's place on the page."""
    return f"s{source_id}-{segment.start}-{segment.end}"


@dataclass(frozen=True)
class Review:
    """Two coders' disagreements on the chosen sources, and their agreement before and after
    the lead settled them (after: each coder against the consensus)."""

    coder_a: User
    coder_b: User
    items: list[Item]
    before: AgreementResults | None
    after_a: AgreementResults | None
    after_b: AgreementResults | None
    #: sources whose consensus another pair of coders is building: (title, coder, coder)
    held: dict[int, tuple[str, str, str]]

    @property
    def settled(self) -> int:
        return sum(1 for item in self.items if item.action is not None)


def ordered_pair(coder_ids: Sequence[int]) -> tuple[int, int]:
    """The two coders compared, the lower id as A, so that a pair is the same pair whichever
    way round it was chosen."""
    chosen = sorted(set(coder_ids))
    if len(chosen) != 2:
        raise ConsensusError("Choose exactly two coders to settle their disagreements.")
    return chosen[0], chosen[1]


def consensus_coder(project: Project) -> User | None:
    coder_id = settings_of(project).consensus_coder_id
    return db.session.get(User, coder_id) if coder_id else None


def make_consensus_coder(project: Project) -> User:
    """The project's consensus coder, made when there is none: an external identity
    (inactive, a password that can never match, not among the accounts), so nobody signs in
    as it and the admin's account list does not show it."""
    coder = consensus_coder(project)
    if coder is not None:
        return coder
    coder = User(email=f"consensus-{project.id}@consensus.invalid", name=CONSENSUS_NAME,
                 password_hash="", active=False, external=True)
    db.session.add(coder)
    db.session.flush()
    settings = settings_of(project)
    settings.consensus_coder_id = coder.id
    db.session.add(settings)
    db.session.flush()
    return coder


def chosen_coders(project: Project, coder_ids: Sequence[int]) -> tuple[User, User]:
    """Coder A and coder B, who code in the project; the consensus is not one of them."""
    pair = ordered_pair(coder_ids)
    coders = {user.id: user for user in project_coders(project)}
    if any(coder_id not in coders for coder_id in pair):
        raise ConsensusError("One of the chosen coders does not code in this project.")
    if settings_of(project).consensus_coder_id in pair:
        raise ConsensusError("The consensus is what the lead settles: choose two coders.")
    return coders[pair[0]], coders[pair[1]]


def _spans(source_ids: list[int], coder_ids: list[int]) -> dict[tuple[int, int], list[Span]]:
    """Each (source, coder)'s codings as spans, read in one query."""
    rows = db.session.execute(db.select(
        Coding.source_id, Coding.coder_id, Coding.code_id, Coding.start, Coding.end).where(
        Coding.source_id.in_(source_ids), Coding.coder_id.in_(coder_ids)))
    spans: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for source_id, coder_id, code_id, start, end in rows:
        spans[(source_id, coder_id)].append(Span(code_id, start, end))
    return spans


def _decisions(source_ids: list[int]) -> list[ConsensusDecision]:
    return list(db.session.scalars(db.select(ConsensusDecision).where(
        ConsensusDecision.source_id.in_(source_ids))))


def _actions(decisions: list[ConsensusDecision], pair: tuple[int, int]
             ) -> dict[int, dict[str, str]]:
    """Each source's decisions of this pair, action by segment key."""
    actions: dict[int, dict[str, str]] = defaultdict(dict)
    for decision in decisions:
        if (decision.coder_a_id, decision.coder_b_id) == pair:
            actions[decision.source_id][decision.segment] = decision.action
    return actions


def _held(decisions: list[ConsensusDecision], pair: tuple[int, int]) -> dict[int, tuple[int, int]]:
    """Sources whose decisions are another pair's: that pair, by source."""
    return {d.source_id: (d.coder_a_id, d.coder_b_id) for d in decisions
            if (d.coder_a_id, d.coder_b_id) != pair}


def review(project: Project, source_ids: Sequence[int], coder_ids: Sequence[int]) -> Review:
    """The disagreements of two coders on the sources, with decisions and figures."""
    coder_a, coder_b = chosen_coders(project, coder_ids)
    pair = (coder_a.id, coder_b.id)
    sources = chosen_sources(project, source_ids)
    ids = [s.id for s in sources]
    consensus = consensus_coder(project)
    coders = [*pair, consensus.id] if consensus else list(pair)
    spans = _spans(ids, coders)
    decisions = _decisions(ids)
    actions = _actions(decisions, pair)
    items = []
    for source in sources:
        compared = compare_sides(spans[(source.id, pair[0])], spans[(source.id, pair[1])])
        done = actions.get(source.id, {})
        place = _places(source)
        items += [Item(source, segment, done.get(segment.key), place(segment.start))
                  for segment in compared.disagreements]
    infos = {s.id: SourceInfo(len(s.text), alpha_units(s)) for s in sources}
    held_pairs = _held(decisions, pair)
    names = dict(db.session.execute(db.select(User.id, User.name).where(
        User.id.in_({coder for found in held_pairs.values() for coder in found}))).all())
    titles = {s.id: s.title for s in sources}
    held = {source_id: (titles[source_id], names[a], names[b])
            for source_id, (a, b) in held_pairs.items()}
    return Review(coder_a, coder_b, items, _figures(infos, spans, pair[0], pair[1]),
                  _figures(infos, spans, pair[0], consensus.id) if consensus else None,
                  _figures(infos, spans, pair[1], consensus.id) if consensus else None, held)


def _places(source: Source) -> Callable[[int], str]:
    """Where an offset of the source is, in words: its paragraph, or a transcript segment's
    time and speaker."""
    paragraphs = source.paragraphs or []
    starts = [paragraph["start"] for paragraph in paragraphs]

    def place(offset: int) -> str:
        number = bisect_right(starts, offset)
        if not number or offset >= paragraphs[number - 1]["end"]:
            return ""
        paragraph = paragraphs[number - 1]
        if "t0" not in paragraph:
            return f"paragraph {number}"
        seconds = int(paragraph["t0"])
        clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        return ", ".join(filter(None, [clock, paragraph.get("speaker")]))

    return place


def _figures(infos: dict[int, SourceInfo], spans: dict[tuple[int, int], list[Span]],
             a: int, b: int) -> AgreementResults | None:
    rows = [(coder, source, *span) for (source, coder), found in spans.items()
            if coder in (a, b) for span in found]
    if not rows:
        return None
    return compute_agreement(infos, rows, [a, b])


def settle(project: Project, source_ids: Sequence[int], coder_ids: Sequence[int],
           source_id: int, segment_key: str, action: str, user: User) -> Disagreement:
    """Record how a segment is settled ("undo" forgets it), then bring the consensus of the
    chosen sources up to date. Return the segment."""
    coder_a, coder_b = chosen_coders(project, coder_ids)
    pair = (coder_a.id, coder_b.id)
    sources = chosen_sources(project, [*source_ids, source_id])
    source = next((s for s in sources if s.id == source_id), None)
    if source is None:
        raise ConsensusError("That source is not in this project.")
    ids = [s.id for s in sources]
    decisions = _decisions(ids)
    held = _held(decisions, pair)
    if source_id in held:
        raise ConsensusError(f"The consensus of “{source.title}” is being settled for two "
                             "other coders; undo their decisions there first.")
    spans = _spans(ids, list(pair))
    compared = {s.id: compare_sides(spans[(s.id, pair[0])], spans[(s.id, pair[1])])
                for s in sources}
    segment = next((d for d in compared[source_id].disagreements if d.key == segment_key),
                   None)
    if segment is None:
        raise ConsensusError("This disagreement has changed since the page was opened (a "
                             "coder changed their codings): reload the page.")
    _record(project, decisions, pair, source_id, segment, action, user)
    coder = make_consensus_coder(project)
    actions = _actions(decisions, pair)
    kept = [s for s in sources if s.id not in held]
    existing: dict[int, list[Coding]] = defaultdict(list)
    for coding in db.session.scalars(db.select(Coding).where(
            Coding.source_id.in_([s.id for s in kept]), Coding.coder_id == coder.id)):
        existing[coding.source_id].append(coding)
    for s in kept:
        _keep_consensus(project, s, coder, compared[s.id].consensus(actions.get(s.id, {})),
                        existing[s.id])
    db.session.flush()
    return segment


def _record(project: Project, decisions: list[ConsensusDecision], pair: tuple[int, int],
            source_id: int, segment: Disagreement, action: str, user: User) -> None:
    """Add, change or (for "undo") delete the pair's decision on the segment, in the database
    and in `decisions`."""
    decision = next((d for d in decisions if d.source_id == source_id
                     and (d.coder_a_id, d.coder_b_id) == pair and d.segment == segment.key),
                    None)
    if action == "undo":
        if decision is not None:
            db.session.delete(decision)
            decisions.remove(decision)
        return
    segment.outcome(action)  # refuses an action that does not apply
    if decision is None:
        decision = ConsensusDecision(project_id=project.id, source_id=source_id,
                                     coder_a_id=pair[0], coder_b_id=pair[1],
                                     segment=segment.key)
        db.session.add(decision)
        decisions.append(decision)
    decision.action, decision.settled_by_id, decision.settled_at = action, user.id, utcnow()
    db.session.flush()


def _keep_consensus(project: Project, source: Source, coder: User, wanted: set[Span],
                    existing: list[Coding]) -> None:
    """Make the consensus coder's codings of the source the wanted ones, changing only what
    differs (a consensus coding that stays keeps its memo and its place in the quote bank)."""
    for coding in existing:
        span = Span(coding.code_id, coding.start, coding.end)
        if span in wanted:
            wanted.discard(span)
        else:
            db.session.delete(coding)
    for code_id, start, end in sorted(wanted, key=lambda s: (s.start, s.end)):
        db.session.add(Coding(project_id=project.id, source_id=source.id, code_id=code_id,
                              coder_id=coder.id, start=start, end=end,
                              quote=source.text[start:end][:MAX_QUOTE]))
