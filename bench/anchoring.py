"""Re-anchoring codings after a small edit of a long transcript.

The transcript and codings of bench/agreement.py (20,000 words, 2,000 codings by 3 coders);
each edit is applied to the text and all 2,000 ranges are re-mapped with `remap_spans`.
Edits: a word inserted in the middle, a corrected spelling near the start, a sentence
deleted near the end, the same three at once, and
(not small) a speaker renamed on every line. Prints one JSON line with the median and
slowest of the runs in milliseconds per edit, and how many codings moved, shrank or were lost.

usage (from the project folder): python -m bench.anchoring [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
from collections import Counter
from datetime import UTC, datetime

from bench.agreement import synthetic_codings, synthetic_transcript, timed
from coding.anchoring import remap_spans


def edits(text: str) -> dict[str, str]:
    middle = text.index(" ", len(text) // 2)
    typo = text.index(" ", 2_000)
    end_line = text.rindex("\n", 0, len(text) - 3_000)
    deleted = text[:end_line] + text[text.index("\n", end_line + 1) :]
    insert = text[:middle] + " really" + text[middle:]
    corrected = text[: typo + 1] + "Ż" + text[typo + 2 :]
    combined = corrected[:middle] + " really" + corrected[middle:end_line]
    combined += corrected[corrected.index("\n", end_line + 1) :]
    return {
        "insert_word": insert,
        "correct_spelling": corrected,
        "delete_segment": deleted,
        "three_edits": combined,
        "rename_speaker_everywhere": text.replace("Respondent:", "R:"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    text, _ = synthetic_transcript()
    spans = [(c.start, c.end) for c in synthetic_codings(len(text))]
    figures = {}
    for name, new_text in edits(text).items():
        median, slowest = timed(lambda new_text=new_text: remap_spans(text, new_text, spans), runs)
        statuses = Counter(r.status for r in remap_spans(text, new_text, spans))
        figures[name] = {"ms_median": round(median, 2), "ms_max": round(slowest, 2), **statuses}
    print(
        json.dumps(
            {
                "benchmark": "anchoring",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "characters": len(text),
                "codings": len(spans),
                "runs": runs,
                "edits": figures,
            }
        )
    )


if __name__ == "__main__":
    main()
