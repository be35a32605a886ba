"""Who speaks when, on conversations with known speakers: Fieldwork's numpy speaker
separation against the implementation it replaces (resemblyzer with PyTorch, and
scikit-learn's spectral clustering), in the same run on the same input.

Conversations (bench.conversations): two- and three-person conversations made of turns of
real people's recordings in ../shared/speech (five Estonian speakers, two Polish, one
Croatian; read by path, never copied; the real ones are left out, and the JSON says so,
when the folder is missing), two of them also as a phone line carries them, and eSpeak NG
dialogues of two and three voices.

What the transcription job would give is imitated from the known speech: words of 0.4 s
over every stretch of speech, segments of up to 8 s that run across turns (as Whisper's
do), so segments must be split where the speaker changes. Figures for each conversation
and each implementation: the share of speech time given to the right speaker (with the
best one-to-one mapping of found speakers to true ones; time of a speaker left unmapped
counts as wrong), with the number of speakers found out and with it given; the number
found; the time taken (voice embeddings and clustering, the encoder loaded beforehand) and
its real-time factor. Prints one JSON line.

usage (from the project folder): python -m bench.speakers [--seconds 90] [--no-reference]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import permutations
from pathlib import Path

import numpy as np

from bench.conversations import (
    SPEECH_DIR,
    Conversation,
    by_phone,
    converse,
    espeak_pieces,
    pieces_of,
    read_mono,
)
from interviews.asr.audio import AudioWindow
from interviews.asr.base import Segment, Word
from interviews.asr.speakers import (
    Unit,
    fill_gaps,
    label_units,
    speech_stretches,
    split_segments,
    unit_speakers,
    units_of,
)
from interviews.asr.voices.embedding import EMBEDDING_RATE, MIN_SPEECH_SECONDS
from interviews.asr.voices.encoder import voice_encoder

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        from resemblyzer import VoiceEncoder
        from sklearn.cluster import SpectralClustering
    except ImportError:
        VoiceEncoder = None

WORD_S = 0.4
SEGMENT_S = 8.0
REAL_PAIRS = (
    ("mari", "meelis"), ("liivika", "vesta"), ("kalev", "meelis"), ("vesta", "kalev"),
    ("mari", "hr"), ("pl_mls", "hr"), ("pl_rhino", "pl_mls"), ("liivika", "pl_rhino"),
)
REAL_TRIOS = (("liivika", "kalev", "mari"), ("vesta", "meelis", "mari"),
              ("pl_mls", "hr", "kalev"), ("liivika", "vesta", "mari"))
BY_PHONE = (("mari", "meelis"), ("liivika", "vesta"))
RECORDINGS = {
    "kalev": "et_esttts_34_kalev.wav", "liivika": "et_esttts_159_liivika.wav",
    "mari": "et_esttts_180_mari.wav", "meelis": "et_esttts_218_meelis.wav",
    "vesta": "et_esttts_42_vesta.wav", "pl_rhino": "pl_picovoice_rhino_out_of_context.wav",
    "pl_mls": "pl_tensortract2_mls_gt_14_12.wav", "hr": "hr_librivox_testvideoasset_qa001.aac",
}
SENTENCES = (
    "How did the partnership with the American city begin?",
    "Our mayor met their mayor at a conference about climate and energy.",
    "Which areas of cooperation matter most to you today?",
    "Education and public transport, and a little trade between local companies.",
    "The region pays for some of the travel and helps us to find partners.",
    "Universities exchange students and researchers, and sometimes open joint programmes.",
)
ESPEAK_VOICES = ("en-us", "en-us+f3", "en+whisper")

Separate = Callable[[Path, Sequence[Unit], int | None], list[int]]


def words_and_segments(speech: Sequence[tuple[float, float, int]]) -> list[Segment]:
    """Segments of up to SEGMENT_S of WORD_S words over the speech, running across turns."""
    segments: list[Segment] = []
    words: list[Word] = []
    for start, end, _ in speech:
        for t in np.arange(start, end - 0.05, WORD_S):
            if words and t - words[0].start > SEGMENT_S:
                segments.append(Segment(words[0].start, words[-1].end, "", words=words))
                words = []
            words.append(Word(float(t), float(min(t + WORD_S, end)), "w", 0.9))
    segments.append(Segment(words[0].start, words[-1].end, "", words=words))
    return segments


def truth_of(word: Word, speech: Sequence[tuple[float, float, int]]) -> int:
    return next(s for start, end, s in speech if start <= word.start < end)


def accuracy(pieces: list[list[Segment]], conversation: Conversation) -> float:
    """Share of speech time given to the right speaker, with the best one-to-one mapping."""
    found = sorted({p.speaker for split in pieces for p in split})
    true = len(conversation.speakers)
    time_of = np.zeros((len(found), true))
    for piece in (p for split in pieces for p in split):
        for word in piece.words:
            time_of[found.index(piece.speaker), truth_of(word, conversation.speech)] += (
                word.end - word.start)
    size = max(len(found), true)
    padded = np.zeros((size, size))
    padded[: len(found), :true] = time_of
    best = max(sum(padded[c, s] for c, s in enumerate(order))
               for order in permutations(range(size)))
    return float(best / time_of.sum())


def reference_speakers(audio: Path, units: Sequence[Unit], num_speakers: int | None) -> list[int]:
    """The replaced implementation: resemblyzer's windows of the same stretches, clustered by
    scikit-learn (the number of speakers from the eigengap of the cosine affinity)."""
    encoder = reference_encoder()
    window = AudioWindow(audio)
    embeddings, spans = [], []
    for start, end in speech_stretches(units):
        speech = window.between(start, end)[0]
        if len(speech) < MIN_SPEECH_SECONDS * 16_000:
            continue
        loudness = 10 * np.log10(np.mean(np.square(speech, dtype=np.float64)) + 1e-12)
        if loudness < -30:
            speech = speech * np.float32(10 ** ((-30 - loudness) / 20))
        _, partials, slices = encoder.embed_utterance(speech, return_partials=True,
                                                      rate=EMBEDDING_RATE)
        embeddings.extend(partials)
        spans += [(start + s.start / 16_000, start + min(s.stop, len(speech)) / 16_000)
                  for s in slices]
    embeddings = np.array(embeddings)
    affinity = np.clip(embeddings @ embeddings.T, 0.0, 1.0)
    wanted = num_speakers or reference_estimate(affinity)
    labels = SpectralClustering(n_clusters=wanted, affinity="precomputed",
                                random_state=0).fit_predict(affinity)
    return fill_gaps(label_units(units, np.array(spans), labels))


def reference_estimate(affinity: np.ndarray, most: int = 8) -> int:
    degrees = affinity.sum(axis=1)
    scale = 1.0 / np.sqrt(np.maximum(degrees, 1e-12))
    normalised = np.eye(len(affinity)) - scale[:, None] * affinity * scale[None, :]
    eigenvalues = np.sort(np.linalg.eigvalsh(normalised))[: min(most, len(affinity) - 1) + 1]
    return max(2, int(np.argmax(np.diff(eigenvalues)[1:])) + 2)


_reference: list[object] = []


def reference_encoder() -> VoiceEncoder:
    if not _reference:
        _reference.append(VoiceEncoder("cpu", verbose=False))
    return _reference[0]


def run(separate: Separate, conversation: Conversation) -> dict[str, object]:
    segments = words_and_segments(conversation.speech)
    units = units_of(segments)
    started = time.perf_counter()
    found = separate(conversation.path, units, None)
    took = time.perf_counter() - started
    given = separate(conversation.path, units, len(conversation.speakers))
    detected = split_segments(segments, units, found)
    return {
        "right_detect": round(accuracy(detected, conversation), 4),
        "speakers_found": len({p.speaker for split in detected for p in split}),
        "right_given": round(accuracy(split_segments(segments, units, given), conversation), 4),
        "seconds": round(took, 2),
        "rtf": round(took / conversation.seconds, 4),
    }


def fieldwork_speakers(audio: Path, units: Sequence[Unit], num: int | None) -> list[int]:
    return unit_speakers(audio, units, num)


def real_conversations(folder: Path, seconds: float) -> list[Conversation]:
    voices = {name: pieces_of(read_mono(SPEECH_DIR / file)) for name, file in RECORDINGS.items()}
    made = []
    for seed, names in enumerate(REAL_PAIRS + REAL_TRIOS):
        name = " + ".join(names)
        made.append(converse(name, "real", {n: voices[n] for n in names}, seconds, folder, seed))
    phone = [by_phone(c, folder) for c in made if tuple(c.speakers) in BY_PHONE]
    return made + phone


def synthetic_conversations(folder: Path, seconds: float) -> list[Conversation]:
    voices = {voice: espeak_pieces(voice, list(SENTENCES), folder) for voice in ESPEAK_VOICES}
    return [converse(" + ".join(names), "synthetic", {n: voices[n] for n in names}, seconds,
                     folder, 100 + len(names))
            for names in (ESPEAK_VOICES[:2], ESPEAK_VOICES)]


def machine() -> dict[str, object]:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu,
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def summary(rows: list[dict[str, object]], kind: str, people: int, key: str) -> dict:
    chosen = [row for row in rows if row["kind"] == kind and row["people"] == people]
    if not chosen or key not in chosen[0]:
        return {}
    right = [row[key]["right_detect"] for row in chosen]
    return {"conversations": len(chosen), "mean_right_detect": round(float(np.mean(right)), 4),
            "min_right_detect": min(right),
            "mean_right_given": round(float(np.mean([r[key]["right_given"] for r in chosen])), 4),
            "count_right": sum(r[key]["speakers_found"] == people for r in chosen),
            "mean_rtf": round(float(np.mean([r[key]["rtf"] for r in chosen])), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--no-reference", action="store_true",
                        help="leave out resemblyzer and scikit-learn")
    args = parser.parse_args()
    voice_encoder()
    compare = VoiceEncoder is not None and not args.no_reference
    if compare:
        reference_encoder()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        conversations = synthetic_conversations(folder, args.seconds)
        if SPEECH_DIR.is_dir():
            conversations += real_conversations(folder, args.seconds)
        for conversation in conversations:
            row = {"name": conversation.name, "kind": conversation.kind,
                   "people": len(conversation.speakers),
                   "seconds": round(conversation.seconds, 1),
                   "fieldwork": run(fieldwork_speakers, conversation)}
            if compare:
                row["resemblyzer"] = run(reference_speakers, conversation)
            rows.append(row)
    print(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": machine(),
        "real_speech": str(SPEECH_DIR) if SPEECH_DIR.is_dir() else f"missing: {SPEECH_DIR}",
        "summary": {f"{key} {kind} {people}": summary(rows, kind, people, key)
                    for key in ("fieldwork", "resemblyzer")
                    for kind in ("real", "phone", "synthetic") for people in (2, 3)},
        "conversations": rows,
    }))


if __name__ == "__main__":
    main()
