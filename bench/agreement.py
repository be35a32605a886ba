"""Inter-coder agreement on a long transcript.

A synthetic 20,000-word transcript in segments (the units for alpha), 20 codes and 2,000
codings by 3 coders (the second and third coder mostly follow the first with shifted
boundaries, as real coders do). Times `compute_agreement` (three pairs of coders, kappa and
percent agreement over all and over coded text, alpha per code and overall) and the CSV
export. Prints one JSON line with the median and slowest of the runs in milliseconds.

usage (from the project folder): python -m bench.agreement [--runs N]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from datetime import UTC, datetime

from coding.agreement import Coding, SourceInfo, agreement_csv, compute_agreement
from coding.starter import load_starter_codebook

WORDS = 20_000
CODINGS = 2_000
CODERS = ("ana", "ben", "chen")
CODES = tuple(f"code-{n}" for n in range(20))


def vocabulary() -> list[str]:
    """The words of the starter codebook's example quotes."""
    codes = [code for top in load_starter_codebook() for code in top.walk()]
    return [word for code in codes for word in code.example.split()]


def synthetic_transcript(seed: int = 7) -> tuple[str, list[tuple[int, int]]]:
    """A transcript of WORDS words, one segment per line, and the segments' ranges."""
    rng = random.Random(seed)
    words = vocabulary()
    lines, count = [], 0
    while count < WORDS:
        size = min(rng.randint(8, 40), WORDS - count)
        speaker = rng.choice(("Interviewer", "Respondent"))
        lines.append(f"{speaker}: " + " ".join(rng.choice(words) for _ in range(size)))
        count += size
    segments, offset = [], 0
    for line in lines:
        segments.append((offset, offset + len(line)))
        offset += len(line) + 1
    return "\n".join(lines), segments


def synthetic_codings(length: int, seed: int = 7) -> list[Coding]:
    """CODINGS codings: the first coder's, then the others' mostly near them."""
    rng = random.Random(seed)
    first = []
    for _ in range(CODINGS // len(CODERS)):
        start = rng.randrange(length - 50)
        first.append((rng.choice(CODES), start, min(length, start + rng.randint(30, 600))))
    codings = [Coding(CODERS[0], "interview", code, s, e) for code, s, e in first]
    for coder in CODERS[1:]:
        for code, start, end in first:
            if rng.random() < 0.75:
                start = max(0, start + rng.randint(-40, 40))
                end = min(length, max(start + 1, end + rng.randint(-40, 40)))
            else:
                code = rng.choice(CODES)
            codings.append(Coding(coder, "interview", code, start, end))
    while len(codings) < CODINGS:
        start = rng.randrange(length - 50)
        codings.append(
            Coding(rng.choice(CODERS), "interview", rng.choice(CODES), start, start + 50)
        )
    return codings[:CODINGS]


def timed(function, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    text, segments = synthetic_transcript()
    codings = synthetic_codings(len(text))
    sources = {"interview": SourceInfo(len(text), segments)}
    results = compute_agreement(sources, codings, CODERS, CODES)
    median, slowest = timed(lambda: compute_agreement(sources, codings, CODERS, CODES), runs)
    csv_median, _ = timed(lambda: agreement_csv(results), runs)
    overall = results.overall_pairs[0]
    print(
        json.dumps(
            {
                "benchmark": "agreement",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "words": WORDS,
                "characters": len(text),
                "segments": len(segments),
                "codings": len(codings),
                "coders": len(CODERS),
                "codes": len(CODES),
                "runs": runs,
                "compute_ms_median": round(median, 2),
                "compute_ms_max": round(slowest, 2),
                "csv_ms_median": round(csv_median, 2),
                "kappa_all_text_first_pair": round(overall.all_text.kappa, 3),
                "kappa_coded_text_first_pair": round(overall.coded_text.kappa, 3),
                "alpha_overall": round(results.overall_alpha.value, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
