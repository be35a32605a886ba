"""Speaker separation on a dialogue of two voices: by voice, and by channel in stereo."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from interviews.asr.base import Segment

speakers = pytest.importorskip(
    "interviews.asr.speakers", reason="speaker separation is not installed (extra: speakers)"
)


def seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


@pytest.fixture(scope="module")
def turn_segments(turns) -> list[Segment]:
    """One segment per turn, where the turn is in the joined dialogue."""
    segments, start = [], 0.0
    for path in turns.paths:
        end = start + seconds(path)
        segments.append(Segment(start, end, path.stem))
        start = end + seconds(turns.pause)
    return segments


@pytest.fixture(scope="module")
def stereo_dialogue(turns, speech_dir) -> Path:
    """The first voice alone on the left channel, the second on the right."""
    quiet = []
    for path in turns.paths:
        quiet.append(speech_dir / f"quiet-{path.name}")
        subprocess.run(["sox", str(path), str(quiet[-1]), "vol", "0"], check=True)
    channels = []
    for side in (0, 1):
        parts = [
            str(part)
            for i, (turn, muted) in enumerate(zip(turns.paths, quiet, strict=True))
            for part in ((turn if i % 2 == side else muted), turns.pause)
        ][:-1]
        channels.append(speech_dir / f"channel{side}.wav")
        subprocess.run(["sox", *parts, str(channels[-1])], check=True)
    out = speech_dir / "stereo.wav"
    subprocess.run(["sox", "-M", *map(str, channels), str(out)], check=True)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("num_speakers", [None, 2])
def test_voices_are_told_apart(dialogue, turn_segments, num_speakers):
    assert speakers.assign_speakers(dialogue.path, turn_segments, num_speakers) == [0, 1, 0, 1]


def test_stereo_channels_are_speakers(stereo_dialogue, turn_segments):
    assert speakers.channel_count(stereo_dialogue) == 2
    assert speakers.assign_speakers(stereo_dialogue, turn_segments) == [0, 1, 0, 1]


def test_nothing_to_assign(dialogue):
    assert speakers.assign_speakers(dialogue.path, []) == []


def test_the_number_of_speakers_is_estimated_from_the_eigengap():
    groups = np.repeat([0, 1, 2], 5)
    affinity = np.where(groups[:, None] == groups[None, :], 0.9, 0.1)

    assert speakers.estimate_speakers(affinity) == 3
