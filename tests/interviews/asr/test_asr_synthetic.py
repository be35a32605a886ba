"""Generated speech from the packaged eSpeak NG library: the voices of the study's languages,
a refused voice in words, and a clip that Whisper reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviews.asr.audio import audio_duration
from interviews.asr.synthetic import SpeechError, sample_rate, speak_to_file, speech_samples

STUDY_VOICES = ("en-us", "pl", "cs", "sk", "hu", "ro", "bg", "lt", "lv", "et", "de", "cmn")


@pytest.mark.parametrize("voice", STUDY_VOICES)
def test_each_language_of_the_study_has_a_voice(voice: str) -> None:
    samples = speech_samples("Jeden, dwa, trzy.", voice)
    assert len(samples) > sample_rate() // 2
    assert abs(samples).max() > 1000


def test_an_unknown_voice_is_refused_in_words() -> None:
    with pytest.raises(SpeechError, match="no voice called 'xx-nowhere'"):
        speech_samples("Hello.", "xx-nowhere")


def test_a_clip_is_a_wav_file_of_the_spoken_length(tmp_path: Path) -> None:
    path = speak_to_file("The mayor of Poznań visited Shenzhen.", tmp_path / "clip.wav")
    assert 2.0 < audio_duration(path) < 5.0
    slower = speak_to_file("The mayor of Poznań visited Shenzhen.", tmp_path / "slow.wav",
                           words_per_minute=100)
    assert audio_duration(slower) > audio_duration(path) * 1.3


def test_the_same_text_gives_the_same_samples_whatever_was_spoken_before() -> None:
    """The library keeps state between texts: spoken in one process, the same sentence came
    out hundreds of samples longer or shorter each time, and faint test speech was heard
    differently depending on which tests had run first."""
    sentence = "Cooperation with Chinese cities is growing and is mostly about trade."
    first = speech_samples(sentence)
    for voice in ("en-us+f3", "pl", "hu"):
        speech_samples("Dzień dobry, witam wszystkich.", voice, 180)
    assert speech_samples(sentence).tobytes() == first.tobytes()
