"""Conversations with known speakers for the speaker benchmark: turns of real people's
recordings (../shared/speech, read by path and never copied into the project) or of
eSpeak NG voices, with the exact time of each speaker's speech.

A recording's speech (Silero VAD, as faster-whisper ships it) is cut at its quietest
moments into pieces of PIECE_S seconds; a turn is pieces of one speaker, drawn at random,
until it lasts TURN_S; turns alternate (three speakers: the next is any other one) with a
pause of 0.3-1 s, until the conversation is long enough. The few seconds each real speaker
has (4-35 s) are so used again and again, in other orders and at other levels (+-4 dB).
Everything is drawn from a seeded generator, so a conversation is the same at every run.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from interviews.asr.audio import SAMPLE_RATE, pcm_blocks
from tests.audio import convert, speak

PROJECT = Path(__file__).resolve().parents[1]
SPEECH_DIR = PROJECT.parent / "shared" / "speech"
PIECE_S = (1.0, 2.5)
TURN_S = (1.5, 6.0)
FRAME_S = 0.02
PAUSE_S = (0.3, 1.0)
PIECE_GAP_S = 0.15
LEVEL_DB = 4.0
VAD = VadOptions(min_silence_duration_ms=150, speech_pad_ms=30)


@dataclass(frozen=True)
class Piece:
    samples: np.ndarray
    #: (start, end) seconds of speech inside the piece
    speech: list[tuple[float, float]]


@dataclass(frozen=True)
class Conversation:
    name: str
    kind: str
    path: Path
    speakers: list[str]
    #: (start, end, speaker number) of every stretch of speech, in time order
    speech: list[tuple[float, float, int]]

    @property
    def seconds(self) -> float:
        return self.speech[-1][1]


def read_mono(path: Path) -> np.ndarray:
    return np.concatenate([block[0] for block in pcm_blocks(path)])


def _cuts(samples: np.ndarray) -> list[int]:
    """Where to cut speech into pieces of PIECE_S: the quietest frame in each reach."""
    frame = round(FRAME_S * SAMPLE_RATE)
    energy = np.array([np.mean(samples[i : i + frame] ** 2)
                       for i in range(0, len(samples) - frame + 1, frame)])
    shortest, longest = (round(s / FRAME_S) for s in PIECE_S)
    cuts = [0]
    while len(energy) - cuts[-1] > longest:
        reach = energy[cuts[-1] + shortest : cuts[-1] + longest]
        cuts.append(cuts[-1] + shortest + int(np.argmin(reach)))
    return [cut * frame for cut in cuts] + [len(samples)]


def pieces_of(samples: np.ndarray) -> list[Piece]:
    """The recording's speech cut into pieces of about PIECE_S seconds."""
    pieces = []
    for region in get_speech_timestamps(samples, VAD):
        speech = samples[region["start"] : region["end"]]
        cuts = _cuts(speech)
        for start, end in pairwise(cuts):
            if end - start >= PIECE_S[0] * SAMPLE_RATE / 2:
                pieces.append(Piece(speech[start:end], [(0.0, (end - start) / SAMPLE_RATE)]))
    return pieces


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return path


def _next_speaker(current: int, count: int, rng: np.random.Generator) -> int:
    if count == 2:
        return 1 - current
    return int(rng.choice([s for s in range(count) if s != current]))


def converse(name: str, kind: str, voices: dict[str, list[Piece]], seconds: float,
             folder: Path, seed: int) -> Conversation:
    """Turns of the voices' pieces, alternating, to about `seconds`, written to a WAV file."""
    rng = np.random.default_rng(seed)
    pieces = list(voices.values())
    parts: list[np.ndarray] = []
    speech: list[tuple[float, float, int]] = []
    now, speaker = 0.0, 0
    while now < seconds:
        turn_end = now + rng.uniform(*TURN_S)
        while now < turn_end:
            piece = pieces[speaker][int(rng.integers(len(pieces[speaker])))]
            if parts and speech[-1][2] == speaker:
                parts.append(silence(PIECE_GAP_S))
                now += PIECE_GAP_S
            gain = 10 ** (rng.uniform(-LEVEL_DB, LEVEL_DB) / 20)
            parts.append((piece.samples * gain).astype(np.float32))
            speech += [(now + s, now + e, speaker) for s, e in piece.speech]
            now += len(piece.samples) / SAMPLE_RATE
        pause = rng.uniform(*PAUSE_S)
        parts.append(silence(pause))
        now += pause
        speaker = _next_speaker(speaker, len(pieces), rng)
    path = write_wav(folder / f"{name}.wav", np.concatenate(parts))
    return Conversation(name, kind, path, list(voices), speech)


def by_phone(conversation: Conversation, folder: Path) -> Conversation:
    """The conversation as a phone line carries it: 300-3400 Hz at 8 kHz."""
    out = convert(conversation.path, folder / f"{conversation.name}-phone.wav",
                  "-af", "volume=0.8,highpass=f=300,lowpass=f=3400", "-ar", "8000")
    return Conversation(f"{conversation.name} (phone)", "phone", out, conversation.speakers,
                        conversation.speech)


def espeak_pieces(voice: str, sentences: list[str], folder: Path) -> list[Piece]:
    """One piece per sentence, spoken by an eSpeak NG voice."""
    pieces = []
    for n, sentence in enumerate(sentences):
        path = speak(sentence, folder / f"{voice.replace('+', '-')}-{n}.wav", voice)
        pieces.extend(pieces_of(read_mono(path)))
    return pieces
