"""The numpy voice encoder against resemblyzer's own, and speakers told apart in real
people's recordings (../shared/speech beside the project, read by path) and in generated
ones, the same every time, without PyTorch or scikit-learn."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from interviews.asr import speakers
from interviews.asr.audio import SAMPLE_RATE, pcm_blocks
from interviews.asr.base import Segment, Word
from interviews.asr.extras import voices_available
from interviews.asr.voices import mel
from interviews.asr.voices.encoder import WEIGHTS_FILE, VoiceEncoder
from tests.audio import join, silence, speak
from tests.interviews.asr.conftest import LONG_TEXT

PROJECT = Path(__file__).resolve().parents[3]
SHARED_SPEECH = PROJECT.parent / "shared" / "speech"
REAL = {
    "liivika": "et_esttts_159_liivika.wav", "kalev": "et_esttts_34_kalev.wav",
    "mari": "et_esttts_180_mari.wav", "meelis": "et_esttts_218_meelis.wav",
}
PAUSE_S = 0.6
#: eSpeak NG voices that the encoder tells apart (to it, en-gb+m3 and en-us+m1 sound like
#: en-us, and en-us+klatt nearly so)
THREE_VOICES = ("en-us", "en-us+f3", "en+whisper")

needs_real_speech = pytest.mark.skipif(
    not SHARED_SPEECH.is_dir(), reason=f"no real recordings at {SHARED_SPEECH}")


def read(path: Path) -> np.ndarray:
    return np.concatenate([block[0] for block in pcm_blocks(path)])


def write(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def conversation(names: list[str], folder: Path) -> tuple[Path, list[Segment], list[str]]:
    """The real recordings one after the other, twice over, with one segment (a word each
    half second) per turn; and who speaks in each."""
    order = names * 2
    parts, segments, start = [], [], 0.0
    for name in order:
        samples = read(SHARED_SPEECH / REAL[name])
        end = start + len(samples) / SAMPLE_RATE
        words = [Word(t, min(t + 0.5, end), "w", 0.9) for t in np.arange(start, end - 0.1, 0.5)]
        segments.append(Segment(start, end, name, words=words))
        parts += [samples, np.zeros(round(PAUSE_S * SAMPLE_RATE), np.float32)]
        start = end + PAUSE_S
    path = write(folder / f"{'-'.join(names)}.wav", np.concatenate(parts))
    return path, segments, order


def same_grouping(found: list[int], truth: list[str]) -> bool:
    return len(set(zip(found, truth, strict=True))) == len(set(found)) == len(set(truth))


def test_the_converted_file_is_resemblyzers_encoder():
    torch = pytest.importorskip("torch", reason="PyTorch (to read resemblyzer's file) is missing")
    pytest.importorskip("resemblyzer", reason="resemblyzer (the original) is not installed")
    convert = importlib.import_module("interviews.asr.voices.convert")

    state = torch.load(convert.pretrained_path(), map_location="cpu", weights_only=True)
    with np.load(WEIGHTS_FILE) as shipped:
        assert convert.converted(state["model_state"]).keys() == set(shipped.files)
        for name, value in convert.converted(state["model_state"]).items():
            np.testing.assert_array_equal(shipped[name], value)


def test_the_voice_encoder_ships_with_fieldwork():
    assert voices_available() and WEIGHTS_FILE.stat().st_size < 3_000_000
    assert (WEIGHTS_FILE.parent / "VOICE_ENCODER.md").read_text().count("Apache") >= 1


def test_the_mel_filterbank_is_librosas():
    librosa = pytest.importorskip("librosa", reason="librosa (the reference) is not installed")
    expected = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=mel.FRAME_SAMPLES,
                                   n_mels=mel.MEL_CHANNELS)
    np.testing.assert_allclose(mel.mel_filterbank(), expected, atol=1e-7)


@needs_real_speech
@pytest.mark.parametrize("name", ["mari", "kalev"])
def test_embeddings_match_resemblyzers(name):
    resemblyzer = pytest.importorskip(
        "resemblyzer", reason="resemblyzer (the reference, with PyTorch) is not installed")
    reference = resemblyzer.VoiceEncoder("cpu", verbose=False)
    wav = mel.normalise_volume(read(SHARED_SPEECH / REAL[name]))
    np.testing.assert_allclose(mel.mel_spectrogram(wav),
                               resemblyzer.audio.wav_to_mel_spectrogram(wav), rtol=1e-3, atol=1e-4)
    _, expected, slices = reference.embed_utterance(
        wav, return_partials=True, rate=1.3)
    mels, starts = mel.partial_mels(wav, 1.3)

    found = VoiceEncoder.load().embed(mels)

    assert starts == [piece.start for piece in slices]
    assert np.min(np.sum(found * expected, axis=1)) > 0.999


@needs_real_speech
@pytest.mark.parametrize("names", [["liivika", "kalev"], ["mari", "meelis"],
                                   ["liivika", "kalev", "mari"]])
def test_real_voices_are_told_apart_and_counted(names, tmp_path):
    path, segments, truth = conversation(names, tmp_path)

    found = [split[0].speaker for split in speakers.assign_speakers(path, segments)]

    assert same_grouping(found, truth), (found, truth)


def generated_conversation(folder: Path) -> tuple[Path, list[Segment], list[str]]:
    """Three eSpeak NG voices taking turns, a sentence each, with one segment per turn."""
    pause = silence(folder / "pause.wav", PAUSE_S)
    order = [THREE_VOICES[n % 3] for n in range(6)]
    turns = [speak(LONG_TEXT[n], folder / f"turn{n}.wav", voice)
             for n, voice in enumerate(order)]
    path = join([part for turn in turns for part in (turn, pause)][:-1], folder / "three.wav")
    segments, start = [], 0.0
    for turn in turns:
        with wave.open(str(turn)) as audio:
            end = start + audio.getnframes() / audio.getframerate()
        words = [Word(t, min(t + 0.5, end), "w", 0.9) for t in np.arange(start, end - 0.1, 0.5)]
        segments.append(Segment(start, end, turn.stem, words=words))
        start = end + PAUSE_S
    return path, segments, order


def test_three_generated_voices_are_told_apart_and_counted(tmp_path):
    path, segments, truth = generated_conversation(tmp_path)

    found = [split[0].speaker for split in speakers.assign_speakers(path, segments)]

    assert same_grouping(found, truth), (found, truth)


def test_generated_voices_are_told_apart_the_same_every_time(dialogue):
    with wave.open(str(dialogue.path)) as audio:
        length = audio.getnframes() / audio.getframerate()
    words = [Word(t, t + 0.5, "w", 0.9) for t in np.arange(0.0, length - 0.5, 0.5)]
    segments = [Segment(0.0, length, dialogue.text, words=words)]

    first = speakers.assign_speakers(dialogue.path, segments)
    again = speakers.assign_speakers(dialogue.path, segments)

    assert first == again
    assert len({piece.speaker for piece in first[0]}) == 2


SEPARATE_AND_LIST_MODULES = """
import json, sys
from interviews.asr.base import Segment, Word
from interviews.asr.speakers import assign_speakers
path, length = sys.argv[1], float(sys.argv[2])
words = [Word(t / 2, t / 2 + 0.5, "w", 0.9) for t in range(int(length * 2) - 1)]
pieces = assign_speakers(path, [Segment(0.0, length, "all", words=words)], None)
print(json.dumps({"speakers": len({p.speaker for p in pieces[0]}), "modules": list(sys.modules)}))
"""


def test_separation_imports_neither_pytorch_nor_scikit_learn(dialogue):
    with wave.open(str(dialogue.path)) as audio:
        length = audio.getnframes() / audio.getframerate()
    output = subprocess.run(
        [sys.executable, "-c", SEPARATE_AND_LIST_MODULES, str(dialogue.path), str(length)],
        check=True, capture_output=True, text=True, cwd=PROJECT,
    ).stdout
    run = json.loads(output)
    assert run["speakers"] == 2
    imported = {name.split(".")[0] for name in run["modules"]}
    assert not imported & {"torch", "sklearn", "scipy", "resemblyzer", "librosa"}
