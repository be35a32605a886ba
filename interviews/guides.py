"""Interview guides: written as plain text, "# Topic" lines followed by their questions."""

from __future__ import annotations

from itertools import groupby

from fieldwork import audit
from fieldwork.extensions import db
from fieldwork.models import Project
from interviews.models import Guide, GuideQuestion

STARTER_TOPICS: dict[str, list[str]] = {
    "Goals of the city": [
        "What does the city hope to gain from its partnerships abroad?",
        "How have these goals changed in the last ten years?",
    ],
    "Cooperation areas": [
        "In which areas does the city cooperate with its partners (economy, culture, "
        "education, climate, ...)?",
    ],
    "Success factors": [
        "Which projects with partners worked well, and why?",
        "What made other projects fail or stall?",
    ],
    "Institutionalisation": [
        "Is the cooperation set down in agreements, an office abroad or a dedicated unit?",
    ],
    "Coordination with national and EU levels": [
        "How does the city coordinate its partnerships with the national government?",
        "What role do EU institutions and programmes play?",
    ],
}


class GuideError(ValueError):
    """A guide that cannot be saved, said in words."""


def starter_text() -> str:
    return "\n\n".join(
        f"# {topic}\n" + "\n".join(questions) for topic, questions in STARTER_TOPICS.items()
    )


def parse_guide(text: str) -> list[tuple[str, str]]:
    """(topic, question) pairs from "# Topic" lines and one question per line."""
    topic = "General"
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            topic = line.lstrip("#").strip() or "General"
        else:
            pairs.append((topic, line))
    return pairs


def guide_text(guide: Guide) -> str:
    return "\n\n".join(
        f"# {topic}\n" + "\n".join(q.text for q in questions)
        for topic, questions in grouped_questions(guide)
    )


def grouped_questions(guide: Guide) -> list[tuple[str, list[GuideQuestion]]]:
    """Questions by topic, topics in the order they first appear."""
    return [(topic, list(items)) for topic, items in groupby(guide.questions, lambda q: q.topic)]


def save_guide(project: Project, guide: Guide | None, title: str, introduction: str,
               text: str) -> Guide:
    title = title.strip()
    if not title:
        raise GuideError("Give the guide a title, e.g. “City officials”.")
    pairs = parse_guide(text)
    if not pairs:
        raise GuideError("Write at least one question (one per line, topics as “# Topic”).")
    created = guide is None
    if guide is None:
        guide = Guide(project_id=project.id, title=title)
        db.session.add(guide)
    guide.title = title
    guide.introduction = introduction.strip()
    guide.questions = [
        GuideQuestion(topic=topic[:200], text=question, position=index)
        for index, (topic, question) in enumerate(pairs)
    ]
    db.session.flush()
    audit.record("guide.create" if created else "guide.edit", guide, project=project,
                 summary=f"Interview guide “{guide.title}” {'added' if created else 'edited'}",
                 questions=len(pairs))
    return guide


def project_guides(project: Project) -> list[Guide]:
    return list(db.session.scalars(
        db.select(Guide).where(Guide.project_id == project.id).order_by(Guide.title)
    ))
