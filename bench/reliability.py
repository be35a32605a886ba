"""The reliability estimate against the measured word error rate, clip by clip.

Builds the calibration set of bench/reliability_clips.py (eSpeak NG speech in 21 languages with
known text; the wrong language or the English-only model; white noise; 8 kHz telephone audio),
adds the real Estonian recordings with exact references from ../shared/speech (held out: never
used for fitting) and the real Polish and Croatian ones (no reference: only the language found
and the estimate are shown), transcribes each with faster-whisper, and compares the estimate
(interviews.asr.reliability) with the measured word error rate (jiwer, on normalise_text of
reference and hypothesis; Chinese by characters, a character error rate).

Prints one JSON line: per clip the measured and estimated error, the language found and its
probability; the Spearman rank correlation (all clips, generated clips, real clips); the rule
check (clips over 33 % wrong marked needs review, clips under 12 % wrong marked); and the
estimate's share of the transcription time. With --fit, also fits the estimate's constants on
the generated clips and prints them (to copy into interviews/asr/reliability.py).

usage (from the project folder):
  python -m bench.reliability [--models-dir DIR] [--speech-dir DIR] [--cache FILE] [--fit]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import jiwer
import numpy as np

from bench.reliability_clips import (
    CHARACTER_LANGUAGES,
    TEXTS,
    Clip,
    clean_clips,
    degraded_clips,
    mismatched_clips,
    real_clips,
    unreferenced_clips,
)
from bench.reliability_fit import fit, spearman
from interviews.asr.base import (
    Segment,
    TranscriptionOptions,
    TranscriptionResult,
    Word,
    normalise_text,
)
from interviews.asr.engines import get_engine
from interviews.asr.reliability import REVIEW_THRESHOLD, transcript_word_error
from interviews.asr.synthetic import sample_rate, speech_samples, write_wav
from tests.audio import convert

PROJECT = Path(__file__).resolve().parents[1]
SPEECH_DIR = PROJECT.parent / "shared" / "speech"
#: the issue's lines: over a third wrong must be marked; under 12 % wrong should not be
BAD, GOOD = 0.33, 0.12


def make_audio(clip: Clip, folder: Path) -> Path:
    """The clip's audio file: read by its voice, with noise or through a telephone line."""
    if clip.path is not None:
        return clip.path
    voice, text = TEXTS[clip.language]
    samples = speech_samples(text, clip.voice or voice).astype(np.float64)
    if clip.snr_db is not None:
        noise = np.random.default_rng(len(clip.name)).standard_normal(samples.size)
        scale = np.sqrt(np.mean(samples ** 2) / 10 ** (clip.snr_db / 10))
        samples = samples + noise * scale
    path = write_wav(np.clip(samples, -32768, 32767).astype(np.int16),
                     folder / f"{clip.name}.wav", sample_rate())
    if clip.telephone:
        narrow = convert(path, folder / f"{clip.name}-8k.wav", "-ar", "8000")
        path = convert(narrow, folder / f"{clip.name}-16k.wav", "-ar", "16000")
    return path


def reference(clip: Clip) -> str | None:
    if clip.path is None:
        return TEXTS[clip.language][1]
    text = clip.path.with_suffix(".txt")
    return text.read_text(encoding="utf-8") if text.is_file() else None


def measured_wer(reference_text: str, hypothesis: str, language: str) -> float:
    """jiwer's word error rate on normalised text; for Chinese, on characters."""
    truth, said = normalise_text(reference_text), normalise_text(hypothesis)
    if language in CHARACTER_LANGUAGES:
        truth, said = " ".join(truth.replace(" ", "")), " ".join(said.replace(" ", ""))
    return jiwer.wer(truth, said) if said else 1.0


def transcribe(clip: Clip, audio: Path, models_dir: Path) -> tuple[TranscriptionResult, float]:
    engine = get_engine("faster-whisper", models_dir)
    options = TranscriptionOptions(model=clip.model, language=clip.forced)
    started = time.perf_counter()
    result = engine.transcribe(audio, options, lambda segment, progress: None)
    return result, time.perf_counter() - started


def _load(raw: dict) -> TranscriptionResult:
    """A transcript as the cache keeps it (the cached dictionary is left as it is)."""
    segments = [Segment(**{**s, "words": [Word(**w) for w in s["words"]]})
                for s in raw["segments"]]
    return TranscriptionResult(**{**raw, "segments": segments})


def transcribed(clips: list[Clip], folder: Path, models_dir: Path,
                cache: Path | None) -> dict[str, tuple[TranscriptionResult, float]]:
    """Each clip's transcript and transcription time, from the cache when it has them."""
    stored = json.loads(cache.read_text()) if cache and cache.is_file() else {}
    results = {name: (_load(raw), seconds) for name, (raw, seconds) in stored.items()}
    for clip in clips:
        if clip.name not in results:
            results[clip.name] = transcribe(clip, make_audio(clip, folder), models_dir)
            if cache:
                stored[clip.name] = (asdict(results[clip.name][0]), results[clip.name][1])
                cache.write_text(json.dumps(stored))
    return results


def row(clip: Clip, result: TranscriptionResult, seconds: float) -> dict[str, object]:
    """The clip's figures; the time the estimate takes is measured over 100 runs."""
    started = time.perf_counter()
    for _ in range(100):
        estimate = transcript_word_error(result.segments, result.language,
                                         result.language_probability, clip.model)
    estimate_seconds = (time.perf_counter() - started) / 100
    text = reference(clip)
    return {
        "clip": clip.name, "kind": clip.kind, "language": clip.language, "model": clip.model,
        "forced": clip.forced, "found": result.language,
        "language_probability": round(result.language_probability, 3),
        "seconds_audio": round(result.duration, 1),
        "measured": None if text is None else round(
            measured_wer(text, result.text, clip.language), 3),
        "estimated": None if estimate is None else round(estimate, 3),
        "needs_review": estimate is not None and estimate > REVIEW_THRESHOLD,
        "transcription_seconds": round(seconds, 2),
        "estimate_ms": round(estimate_seconds * 1000, 3),
        "text": result.text[:160],
    }


def rule_check(rows: list[dict[str, object]]) -> dict[str, object]:
    scored = [r for r in rows if r["measured"] is not None]
    bad = [r for r in scored if r["measured"] > BAD]
    good = [r for r in scored if r["measured"] < GOOD]
    return {
        "over_33_percent": len(bad),
        "over_33_marked": sum(bool(r["needs_review"]) for r in bad),
        "under_12_percent": len(good),
        "under_12_marked": sum(bool(r["needs_review"]) for r in good),
        "missed": [r["clip"] for r in bad if not r["needs_review"]],
        "false_alarms": [r["clip"] for r in good if r["needs_review"]],
    }


def correlations(rows: list[dict[str, object]]) -> dict[str, float | None]:
    def rho(selected: list[dict[str, object]]) -> float | None:
        pairs = [(r["measured"], r["estimated"]) for r in selected
                 if r["measured"] is not None and r["estimated"] is not None]
        if len(pairs) < 3:
            return None
        measured, estimated = zip(*pairs, strict=True)
        return round(spearman(list(measured), list(estimated)), 3)

    return {"all": rho(rows), "generated": rho([r for r in rows if "real" not in r["kind"]]),
            "real": rho([r for r in rows if r["kind"] == "real"])}


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu, "load_average": os.getloadavg(),
            "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "fieldwork-bench-models")
    parser.add_argument("--speech-dir", type=Path, default=SPEECH_DIR)
    parser.add_argument("--cache", type=Path, help="JSON file keeping transcripts between runs")
    parser.add_argument("--fit", action="store_true", help="fit and print the constants")
    args = parser.parse_args()
    generated = clean_clips() + mismatched_clips() + degraded_clips()
    clips = generated + real_clips(args.speech_dir) + unreferenced_clips(args.speech_dir)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        results = transcribed(clips, Path(folder), args.models_dir, args.cache)
    rows = [row(clip, *results[clip.name]) for clip in clips]
    transcription = sum(r["transcription_seconds"] for r in rows)
    estimating = sum(r["estimate_ms"] for r in rows) / 1000
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_before": load_before},
        "clips": rows,
        "spearman": correlations(rows),
        "rule_check": rule_check(rows),
        "estimate_share_of_transcription": round(estimating / transcription, 6),
    }
    if args.fit:
        report["fitted"] = fit([(results[c.name][0], c.model, r["measured"])
                                for c, r in zip(clips, rows, strict=True)
                                if c in generated and r["measured"] is not None])
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
