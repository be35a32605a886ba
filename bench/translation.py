"""English versions on real speech (`python -m bench.translation`): each recording of
../shared/speech in the study's languages (read by path, never copied) is transcribed with
the multilingual base model, then each segment is translated on its own with Whisper's
translate task, as the translation job does. Prints each segment with its English and a JSON
line of the times: transcribing, translating, and translating over transcribing.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

from interviews.asr.base import TranscriptionOptions, TranslationOptions
from interviews.asr.engines import get_engine
from interviews.asr.weights import install_model

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech"
#: file -> language
RECORDINGS = {
    "pl_tensortract2_mls_gt_14_12.wav": "pl",
    "pl_picovoice_rhino_out_of_context.wav": "pl",
    "hr_librivox_testvideoasset_qa001.aac": "hr",
    "et_esttts_180_mari.wav": "et",
}


def main() -> None:
    models = Path(os.environ.get("FIELDWORK_ASR_MODELS_DIR", "instance/asr-models"))
    install_model("base", models)
    engine = get_engine("faster-whisper", models)
    figures = []
    for name, language in RECORDINGS.items():
        path = SPEECH / name
        started = time.monotonic()
        result = engine.transcribe(path, TranscriptionOptions(model="base", language=language),
                                   lambda *_: None)
        transcribed = time.monotonic()
        english = engine.translate(path, TranslationOptions(model="base", language=language),
                                   [(s.start, s.end) for s in result.segments], lambda *_: None)
        translated = time.monotonic()
        print(f"== {name} ({result.duration:.1f} s)")
        for segment, version in zip(result.segments, english, strict=True):
            print(f"[{segment.start:.2f}–{segment.end:.2f}] {segment.text}\n    {version.text}"
                  + (" (doubtful)" if version.doubtful else ""))
        figures.append({"file": name, "seconds": round(result.duration, 1),
                        "segments": len(english),
                        "transcribe_s": round(transcribed - started, 1),
                        "translate_s": round(translated - transcribed, 1),
                        "ratio": round((translated - transcribed)
                                       / max(transcribed - started, 0.01), 2)})
    print(json.dumps({"bench": "translation", "machine": platform.node(),
                      "cpus": os.cpu_count(), "load": os.getloadavg()[0],
                      "recordings": figures}))


if __name__ == "__main__":
    main()
