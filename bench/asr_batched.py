"""Clips decoded several at once against sequential decoding, in the app's transcription
path, in the same run.

Both ways are `FasterWhisperEngine.transcribe` as the worker's job calls it (voice-activity
check, loops and holes decoded again, sentences), with the same model and options; only the
decoding differs: "batched", the app's default, decodes the speech packed into clips of up
to 30 s as faster-whisper's BatchedInferencePipeline does, one clip per core at once
(asr.batching); "sequential" decodes window after window on all cores (`clips_at_once=1`,
`WhisperModel.transcribe`).

- The bench's two-voice English dialogue (bench.long_recording) of --minutes, language given,
  transcribed --runs times each way, alternately: wall time, CPU time (a fairer figure on a
  shared machine), word error rate, segments, the share of speech covered by text, seconds
  decoded again.
- The real recordings of ../shared/speech (Estonian with reference texts, Polish and
  Croatian without): the language detected and its probability each way, and with the
  language given, the word error rate against the reference where there is one, else the
  difference between the two ways' texts.

Texts are compared in lower case without punctuation. Prints one JSON line, with the 1-minute
load average before and after each run.

usage (from the project folder):
    python -m bench.asr_batched [--minutes 10] [--runs 2] [--model base] [--speech DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import jiwer

from bench.long_recording import (
    PROJECT,
    add_model_arguments,
    choose_model,
    make_recording,
    spoken_text,
)
from interviews.asr.base import TranscriptionOptions, TranscriptionResult, normalise_text
from interviews.asr.faster import FasterWhisperEngine
from interviews.asr.weights import resolve_model

#: clips decoded at once (None: one per core), or window after window
WAYS = {"batched": None, "sequential": 1}
#: the real recordings' language, by the start of their file name
LANGUAGES = {"et": "et", "pl": "pl", "hr": "hr"}
AUDIO_SUFFIXES = (".wav", ".aac", ".mp3", ".ogg", ".m4a")


def load() -> float:
    return round(os.getloadavg()[0], 1)


def ignore(_segment: object, _progress: float) -> None:
    """Segments are read from the result."""


def timed(engine: FasterWhisperEngine, audio: Path,
          options: TranscriptionOptions) -> tuple[float, float, TranscriptionResult]:
    """Wall seconds, CPU seconds of this process (all its threads) and the result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = engine.transcribe(audio, options, ignore)
    return time.perf_counter() - started, time.process_time() - cpu, result


def word_error_rate(reference: str, hypothesis: str) -> float:
    return round(jiwer.wer(normalise_text(reference), normalise_text(hypothesis) or "-"), 3)


def dialogue(engines: dict[str, FasterWhisperEngine], model: str, minutes: float,
             runs: int) -> dict[str, object]:
    """Each way `runs` times on the generated dialogue, alternately."""
    options = TranscriptionOptions(model=model, language="en")
    figures: dict[str, list[dict[str, float]]] = {way: [] for way in engines}
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-batched-") as work:
        audio, turns, round_s = make_recording(Path(work), minutes)
        reference = spoken_text(turns, round_s, minutes * 60)
        for _ in range(runs):
            for way, engine in engines.items():
                before = load()
                wall, cpu, result = timed(engine, audio, options)
                figures[way].append({
                    "s": round(wall, 1), "cpu_s": round(cpu, 1),
                    "wer": word_error_rate(reference, result.text),
                    "segments": len(result.segments), "coverage": round(result.coverage, 3),
                    "redecoding_s": round(result.redecoding_seconds, 1),
                    "load_before": before, "load_after": load()})
    medians = {way: statistics.median(run["s"] for run in runs_) for way, runs_ in
               figures.items()}
    cpu = {way: statistics.median(run["cpu_s"] for run in runs_) for way, runs_ in
           figures.items()}
    return {"audio_minutes": minutes, "runs": figures, "median_s": medians, "median_cpu_s": cpu,
            "sequential_over_batched": round(medians["sequential"] / medians["batched"], 2),
            "sequential_over_batched_cpu": round(cpu["sequential"] / cpu["batched"], 2)}


def real_speech(engines: dict[str, FasterWhisperEngine], model: str,
                folder: Path) -> list[dict[str, object]]:
    """Each recording, detected and with its language given, each way."""
    rows = []
    for audio in sorted(p for p in folder.iterdir() if p.suffix in AUDIO_SUFFIXES):
        language = LANGUAGES[audio.name[:2]]
        reference = audio.with_suffix(".txt")
        row: dict[str, object] = {"file": audio.name, "language": language}
        texts = {}
        for way, engine in engines.items():
            *_, found = timed(engine, audio, TranscriptionOptions(model=model))
            *_, given = timed(engine, audio, TranscriptionOptions(model=model,
                                                                  language=language))
            texts[way] = given.text
            row[way] = {"detected": found.language,
                        "probability": round(found.language_probability, 2),
                        "coverage": round(given.coverage, 3)}
            if reference.exists():
                row[way]["wer"] = word_error_rate(reference.read_text(), given.text)
        row["batched_against_sequential"] = word_error_rate(texts["sequential"],
                                                            texts["batched"])
        row["texts"] = texts
        rows.append(row)
    return rows


def pooled_wer(rows: list[dict[str, object]], folder: Path) -> dict[str, dict[str, float]]:
    """Each way's word error rate over all the recordings of a language with a reference,
    as one text (short clips weigh by their words)."""
    pooled: dict[str, dict[str, float]] = {}
    for language in sorted({str(row["language"]) for row in rows}):
        with_reference = [row for row in rows if row["language"] == language
                          and (folder / str(row["file"])).with_suffix(".txt").exists()]
        if not with_reference:
            continue
        references = [normalise_text((folder / str(row["file"])).with_suffix(".txt")
                                     .read_text()) for row in with_reference]
        pooled[language] = {way: round(jiwer.wer(references, [
            normalise_text(row["texts"][way]) or "-" for row in with_reference]), 3)
            for way in WAYS}
    return pooled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=2)
    add_model_arguments(parser)
    parser.add_argument("--speech", type=Path, default=PROJECT.parent / "shared" / "speech")
    args = parser.parse_args()
    model, why = choose_model(args.model, args.models_dir)
    folder_of = partial(resolve_model, models_dir=args.models_dir)
    threads = os.cpu_count() or 1
    engines = {way: FasterWhisperEngine(folder_of, threads=threads, clips_at_once=size)
               for way, size in WAYS.items()}
    started = load()
    speech = real_speech(engines, model, args.speech) if args.speech.is_dir() else []
    print(json.dumps({
        "bench": "asr_batched", "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "model": model, "model_choice": why, "threads": threads,
        "clips_at_once": engines["batched"].clips_at_once,
        "dialogue": dialogue(engines, model, args.minutes, args.runs),
        "real_speech": speech, "real_speech_wer": pooled_wer(speech, args.speech),
        "load_average_1min_at_start": started,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
    }))


if __name__ == "__main__":
    main()
