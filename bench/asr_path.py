"""The app's transcription path against faster-whisper called directly, on the same file.

Makes the bench's two-voice English dialogue (bench.long_recording) to --minutes of Ogg
Vorbis, then transcribes it, alternately, --runs times each way with the same model and the
same decoding options (language given, voice-activity filter, word timestamps, beam 5,
temperature 0, no conditioning on the previous text):
- direct: `WhisperModel.transcribe` on the whole file, its segments consumed;
- the app: `FasterWhisperEngine.transcribe`, as the worker's job calls it: audio read in
  chunks, the voice-activity check for speech without text, loops and holes decoded again,
  segments joined and cut at their sentences. The time spent decoding again is reported on
  its own (the result's `redecoding_seconds`), and the app's time without it.
Speakers and the database are not part of either (bench.long_recording measures the job).
Prints one JSON line: the median wall time of each way, the app's overhead over direct with
and without re-decoding, the seconds re-decoded, and the 1-minute load average.

usage (from the project folder):
    python -m bench.asr_path [--minutes 5] [--runs 3] [--model base] [--models-dir DIR]
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

from faster_whisper import WhisperModel

from bench.long_recording import add_model_arguments, choose_model, make_recording
from interviews.asr.base import TranscriptionOptions
from interviews.asr.faster import FasterWhisperEngine, _load_model
from interviews.asr.weights import resolve_model

LANGUAGE = "en"


def direct(model: WhisperModel, audio: Path, options: TranscriptionOptions) -> float:
    started = time.perf_counter()
    segments, _ = model.transcribe(str(audio),
                                   **FasterWhisperEngine._decoding(options, LANGUAGE))
    for _ in segments:
        pass
    return time.perf_counter() - started


def through_the_app(engine: FasterWhisperEngine, audio: Path,
                    options: TranscriptionOptions) -> tuple[float, float, int]:
    """Wall seconds, of which re-decoding, and the number of segments."""
    started = time.perf_counter()
    result = engine.transcribe(audio, options, lambda segment, progress: None)
    return time.perf_counter() - started, result.redecoding_seconds, len(result.segments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    add_model_arguments(parser)
    args = parser.parse_args()
    name, why = choose_model(args.model, args.models_dir)
    folder_of = partial(resolve_model, models_dir=args.models_dir)
    threads = os.cpu_count() or 1
    engine = FasterWhisperEngine(folder_of, threads=threads)
    model = _load_model(str(folder_of(name)), threads)
    options = TranscriptionOptions(model=name, language=LANGUAGE)
    direct_s, app_s, redecoding_s, segments = [], [], [], 0
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-path-") as work:
        audio, _, _ = make_recording(Path(work), args.minutes)
        for _ in range(args.runs):
            direct_s.append(direct(model, audio, options))
            wall, again, segments = through_the_app(engine, audio, options)
            app_s.append(wall)
            redecoding_s.append(again)
            load.append(os.getloadavg()[0])
    direct_median, app_median = statistics.median(direct_s), statistics.median(app_s)
    without = statistics.median(wall - again for wall, again in zip(app_s, redecoding_s,
                                                                     strict=True))
    print(json.dumps({
        "bench": "asr_path", "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "model": name, "model_choice": why, "audio_minutes": args.minutes,
        "runs": args.runs, "threads": threads,
        "direct_s": [round(s, 1) for s in direct_s], "app_s": [round(s, 1) for s in app_s],
        "redecoding_s": [round(s, 1) for s in redecoding_s], "app_segments": segments,
        "app_over_direct": round(app_median / direct_median - 1, 3),
        "app_without_redecoding_over_direct": round(without / direct_median - 1, 3),
        "redecoding_share_of_app": round(statistics.median(redecoding_s) / app_median, 3),
        "load_average_1min": [round(value, 1) for value in load],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }))


if __name__ == "__main__":
    main()
