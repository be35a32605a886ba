"""Speaker separation on a dialogue of two voices: by voice, and by channel in stereo;
segments split where the speaker changes; clustering the windows of a long recording."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from interviews.asr import speakers
from interviews.asr.base import Segment, Word
from interviews.asr.voices import embedding
from interviews.asr.voices.clustering import spectral_clusters
from tests.audio import join, merge_channels, muted


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
        quiet.append(muted(path, speech_dir / f"quiet-{path.name}"))
    channels = []
    for side in (0, 1):
        parts = [
            part
            for i, (turn, silent) in enumerate(zip(turns.paths, quiet, strict=True))
            for part in ((turn if i % 2 == side else silent), turns.pause)
        ][:-1]
        channels.append(join(parts, speech_dir / f"channel{side}.wav"))
    return merge_channels(channels, speech_dir / "stereo.wav")


def speakers_of(pieces: list[list[Segment]]) -> list[list[int]]:
    return [[piece.speaker for piece in split] for split in pieces]


def two_turns_in_one(turn_segments: list[Segment]) -> Segment:
    """One segment over the first two turns, with a word for each second of speech."""
    words = [
        Word(start, min(start + 1.0, turn.end), f"w{n}", 0.9)
        for n, turn in enumerate(turn_segments[:2])
        for start in np.arange(turn.start, turn.end - 0.6, 1.0)
    ]
    return Segment(turn_segments[0].start, turn_segments[1].end, "two turns", words=words)


@pytest.mark.slow
@pytest.mark.parametrize("num_speakers", [None, 2])
def test_voices_are_told_apart(dialogue, turn_segments, num_speakers):
    pieces = speakers.assign_speakers(dialogue.path, turn_segments, num_speakers)
    assert speakers_of(pieces) == [[0], [1], [0], [1]]


def test_stereo_channels_are_speakers(stereo_dialogue, turn_segments):
    assert speakers.channel_count(stereo_dialogue) == 2
    pieces = speakers.assign_speakers(stereo_dialogue, turn_segments)
    assert speakers_of(pieces) == [[0], [1], [0], [1]]


@pytest.mark.parametrize("voices", [False, True])
def test_a_segment_is_split_where_the_speaker_changes(
    dialogue, stereo_dialogue, turn_segments, voices
):
    both = two_turns_in_one(turn_segments)
    audio = dialogue.path if voices else stereo_dialogue

    [pieces, *_] = speakers.assign_speakers(audio, [both, *turn_segments[2:]], 2)

    assert [piece.speaker for piece in pieces] == [0, 1]
    first, second = pieces
    assert first.start == both.start and second.end == both.end
    assert abs(second.start - turn_segments[1].start) <= 1.0
    assert first.words + second.words == both.words
    assert first.text == " ".join(word.text for word in first.words)


def test_one_speaker_is_everyone(dialogue, turn_segments):
    pieces = speakers.assign_speakers(dialogue.path, turn_segments, 1)
    assert speakers_of(pieces) == [[0]] * 4


def test_nothing_to_assign(dialogue):
    assert speakers.assign_speakers(dialogue.path, []) == []


def test_a_word_too_short_to_be_a_turn_stays_with_its_neighbours():
    words = [Word(t, t + 0.2, f"w{t}", 0.9) for t in (0.0, 0.4, 0.8, 1.2, 1.6, 2.0)]
    turns = speakers.turns_of(words, [0, 0, 1, 0, 1, 1])
    assert [(turn.speaker, len(turn.words)) for turn in turns] == [(0, 4), (1, 2)]
    short_first = speakers.turns_of([Word(0.0, 0.1, "so", 0.9), *words[:2]], [1, 0, 0])
    assert [(turn.speaker, len(turn.words)) for turn in short_first] == [(0, 3)]


def test_a_long_recording_clusters_a_sample_and_joins_the_rest():
    rng = np.random.default_rng(0)
    voices = rng.normal(size=(2, embedding.EMBEDDING_SIZE))
    truth = rng.integers(0, 2, size=3 * embedding.MAX_CLUSTERED)
    embeddings = voices[truth] + rng.normal(scale=0.08, size=(len(truth), voices.shape[1]))
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)

    spans = np.stack([np.arange(len(truth)), np.arange(len(truth)) + 1.6], axis=1)
    windows = embedding.Windows(embeddings.astype(np.float32), spans, np.arange(len(truth)) // 5)

    labels = embedding.cluster(windows, 2)

    agreement = np.mean(labels == truth)
    assert max(agreement, 1 - agreement) > 0.99


def test_the_number_of_speakers_is_found_from_voices_of_several_groups():
    """Each of three voices speaks in two manners (two groups of windows, alike): three
    speakers are found, not six."""
    rng = np.random.default_rng(1)
    voices = rng.normal(size=(3, embedding.EMBEDDING_SIZE))
    manners = voices[[0, 0, 1, 1, 2, 2]] + rng.normal(scale=0.4, size=(6, voices.shape[1]))
    truth = np.repeat(np.arange(6), 10)
    embeddings = manners[truth] + rng.normal(scale=0.3, size=(len(truth), voices.shape[1]))
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)

    labels = spectral_clusters(embeddings, None, np.arange(len(truth)) // 3)

    assert len(set(labels)) == 3
    assert all(len(set(labels[truth // 2 == voice])) == 1 for voice in range(3))


def test_a_lone_window_takes_the_speaker_of_its_stretch():
    labels = np.array([1, 0, 0, 0, 1, 1, 0, 1, 1, 0])
    stretches = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 2])
    assert speakers.without_lone_windows(labels, stretches).tolist() == [
        0, 0, 0, 0, 1, 1, 1, 1, 1, 0]
    # a change of speaker that lasts two windows stays
    assert speakers.without_lone_windows(np.array([0, 0, 1, 1]), np.zeros(4)).tolist() == [
        0, 0, 1, 1]
