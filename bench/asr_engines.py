"""faster-whisper against openai-whisper on the same weights and the same generated speech.

For each model (the packaged English tiny, and the multilingual base when its packages are
installed) and each recording (over three minutes of one voice reading a known text, and a
dialogue of two voices), each engine transcribes in a subprocess of its own, so that its peak
memory (ru_maxrss) is its alone. Prints one JSON line: real-time factor (transcription time
over audio duration, model loading included), word error rate (jiwer, after Whisper's
English normaliser) and peak RSS for each engine, model and recording.

Needs the `whisper` extra (the speech comes from the eSpeak NG library of `espeakng-loader`).

usage (from the project folder): python -m bench.asr_engines [--models-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import jiwer
from whisper.normalizers import EnglishTextNormalizer

from interviews.asr.base import ModelNotInstalled
from interviews.asr.engines import openai_checkpoint
from interviews.asr.weights import install_model
from tests.audio import join, silence, speak

READING = (
    "Cities in Europe have cooperated with partners abroad for many decades.",
    "After the Second World War, town twinning helped to rebuild trust between nations.",
    "Today many cities sign agreements with American and Chinese cities as well.",
    "Some agreements are about trade and investment, others about culture and education.",
    "A city may open an office in Brussels to follow the policies of the European Union.",
    "Regional governments often coordinate the international work of smaller towns.",
    "The national ministry of foreign affairs usually wants to be informed.",
    "In some countries the law requires its approval before an agreement is signed.",
    "Officials told us that personal contacts matter more than formal documents.",
    "A good partnership needs a person who cares about it on both sides.",
    "When that person leaves the city hall, the cooperation often slows down.",
    "Businesses join the visits of mayors because they hope to find new markets.",
    "Universities exchange students and researchers, and sometimes open joint programmes.",
    "Schools organise summer camps, and orchestras travel to play concerts abroad.",
    "Cooperation with Chinese cities grew quickly in the last two decades.",
    "Many of these agreements were signed during large trade fairs and forums.",
    "Later some cities became more careful and reviewed their partnerships.",
    "Cooperation with American cities is older and is more often about climate and innovation.",
    "Several mayors met at international networks of cities to share their experience.",
    "The European Commission supports some of these projects with grants.",
    "The European External Action Service follows city diplomacy with growing interest.",
    "Researchers compare the models of cooperation in different regions of Europe.",
    "They ask what makes a partnership successful and what makes it fail.",
    "They also ask how local, regional, national and European policies fit together.",
    "Central and Eastern European cities often see China as a source of investment.",
    "Western European cities more often mention climate policy and technology.",
    "Interviews with officials are recorded, transcribed and coded by the research team.",
    "The codes describe goals, motivations, actors, instruments and results.",
    "Coded excerpts are then compared across cities, regions and partner countries.",
    "The results will be published in a book, in several papers and in a dissertation.",
    "Every interview is anonymised before any excerpt leaves the project.",
    "Participants can withdraw their consent at any time during the study.",
    "The team meets every month to discuss the codebook and difficult cases.",
    "New codes are added only after the lead researcher has agreed to them.",
    "Two coders code the same transcript to check how well they agree.",
    "Their agreement is reported for the coded text and for the whole text.",
)
DIALOGUE = (
    ("en-us", "Good morning. Thank you for finding the time to talk with us today."),
    ("en-us+f3", "You are welcome. I have worked in the international office for ten years."),
    ("en-us", "How did the partnership with the American city begin?"),
    ("en-us+f3", "Our mayor met their mayor at a conference about climate and energy."),
    ("en-us", "Was an agreement signed soon after that meeting?"),
    ("en-us+f3", "Yes, a year later, during a visit of their delegation to our city."),
    ("en-us", "Which areas of cooperation matter most to you today?"),
    ("en-us+f3", "Education and public transport, and a little trade between local companies."),
    ("en-us", "And how does the region support this cooperation?"),
    ("en-us+f3", "The region pays for some of the travel and helps us to find partners."),
)
ENGINES = ("faster-whisper", "openai-whisper")
PROJECT = Path(__file__).resolve().parents[1]


def make_reading(folder: Path) -> tuple[Path, str]:
    text = " ".join(READING)
    return speak(text, folder / "reading.wav"), text


def make_dialogue(folder: Path) -> tuple[Path, str]:
    pause = silence(folder / "pause.wav", 0.7)
    turns = [
        speak(text, folder / f"turn{i}.wav", voice) for i, (voice, text) in enumerate(DIALOGUE)
    ]
    parts = [part for turn in turns for part in (turn, pause)][:-1]
    return join(parts, folder / "dialogue.wav"), " ".join(text for _, text in DIALOGUE)


#: where the transcription benchmarks keep the models they assemble, from one run to the next
MODELS_DIR = Path(tempfile.gettempdir()) / "fieldwork-bench-models"

#: Run in a subprocess of its own: imports only the engine, so that its peak RSS is the
#: engine's (the parent imports openai-whisper, and so PyTorch, for the normaliser).
TRANSCRIBE_ONCE = """
import json, resource, sys, time
from pathlib import Path
from interviews.asr.base import TranscriptionOptions
from interviews.asr.engines import get_engine

engine, model, audio, models_dir = sys.argv[1:]
started = time.perf_counter()
result = get_engine(engine, Path(models_dir)).transcribe(
    audio, TranscriptionOptions(model=model), lambda segment, progress: None
)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "duration": result.duration,
    "text": result.text,
    "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def measure(
    engine: str, model: str, audio: Path, reference: str, models_dir: Path
) -> dict[str, object]:
    command = [sys.executable, "-c", TRANSCRIBE_ONCE, engine, model, str(audio), str(models_dir)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=PROJECT).stdout
    run = json.loads(output.splitlines()[-1])
    normalise = EnglishTextNormalizer()
    return {
        "engine": engine,
        "model": model,
        "audio": audio.stem,
        "audio_seconds": round(run["duration"], 1),
        "seconds": round(run["seconds"], 1),
        "rtf": round(run["seconds"] / run["duration"], 3),
        "wer": round(jiwer.wer(normalise(reference), normalise(run["text"])), 4),
        "peak_rss_mb": round(run["peak_kib"] / 1024),
    }


def available_models(models_dir: Path) -> list[str]:
    models = ["tiny.en"]
    try:
        install_model("base", models_dir)
        models.append("base")
    except ModelNotInstalled as error:
        print(f"base left out: {error}", file=sys.stderr)
    return models


def compare(results: list[dict[str, object]]) -> list[dict[str, object]]:
    """faster-whisper relative to openai-whisper, per model and recording."""
    by_key = {(r["engine"], r["model"], r["audio"]): r for r in results}
    ratios = []
    for (engine, model, audio), reference in by_key.items():
        if engine != "openai-whisper":
            continue
        faster = by_key[("faster-whisper", model, audio)]
        ratios.append(
            {
                "model": model,
                "audio": audio,
                "speedup": round(reference["seconds"] / faster["seconds"], 2),
                "memory_ratio": round(faster["peak_rss_mb"] / reference["peak_rss_mb"], 2),
                "wer_difference": round(faster["wer"] - reference["wer"], 4),
            }
        )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args()
    models = available_models(args.models_dir)
    for model in models:
        openai_checkpoint(model, args.models_dir)
    with tempfile.TemporaryDirectory() as folder:
        recordings = [make_reading(Path(folder)), make_dialogue(Path(folder))]
        results = [
            measure(engine, model, audio, text, args.models_dir)
            for model in models
            for audio, text in recordings
            for engine in ENGINES
        ]
    print(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "options": "defaults: beam 5, word timestamps, VAD filter (faster-whisper only)",
                "results": results,
                "faster_vs_openai": compare(results),
            }
        )
    )


if __name__ == "__main__":
    main()
