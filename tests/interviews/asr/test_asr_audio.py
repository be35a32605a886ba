"""Reading a recording a stretch at a time gives the samples of decoding it whole."""

from __future__ import annotations

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from interviews.asr.audio import SAMPLE_RATE, AudioWindow, audio_duration, channel_count


def test_stretches_are_the_samples_of_the_whole_recording(long_speech):
    whole = decode_audio(str(long_speech.path), SAMPLE_RATE)
    window = AudioWindow(long_speech.path)

    first = window.between(1.0, 5.0)[0]
    overlapping = window.between(4.5, 20.0)[0]
    near_the_end = len(whole) - 2 * SAMPLE_RATE
    to_the_end = window.between(near_the_end / SAMPLE_RATE, 10_000.0)[0]

    # faster-whisper rounds to 16-bit samples; the window keeps floats.
    assert np.abs(first - whole[16_000:80_000]).max() < 1e-4
    assert np.abs(overlapping - whole[72_000:320_000]).max() < 1e-4
    assert np.abs(to_the_end - whole[near_the_end:]).max() < 1e-4
    assert audio_duration(long_speech.path) == pytest.approx(len(whole) / SAMPLE_RATE, abs=0.01)
    assert channel_count(long_speech.path) == 1


def test_a_stretch_asked_for_again_gives_what_is_still_held(sentence):
    window = AudioWindow(sentence.path)
    later = window.between(2.0, 3.0)[0]

    again = window.between(1.0, 3.0)[0]

    assert len(later) == SAMPLE_RATE
    assert np.array_equal(again, later)
