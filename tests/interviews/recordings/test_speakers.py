"""Speaker separation in the transcription job: a dialogue of two eSpeak NG voices, uploaded
and transcribed by the real job, gets its two speakers named; stereo channels; one speaker;
voices told apart by the default install, with no extra to install."""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import current_app
from flask.testing import FlaskClient

from fieldwork.extensions import db
from fieldwork.models import Project, User
from interviews.models import Interview, Participant
from interviews.recordings import running, transcription
from interviews.recordings.models import TRANSCRIBING_SHARE, Recording
from interviews.recordings.speakers import DEFAULT_SPEAKER, INTERVIEWER, speaker_names
from interviews.transcripts.models import Transcript, TranscriptSegment
from tests.audio import join, merge_channels, muted, silence, speak

pytestmark = pytest.mark.slow

INTERVIEWER_VOICE, PARTICIPANT_VOICE = "en-us", "en-us+f3"
TURNS = (
    (INTERVIEWER_VOICE, "Good morning. How did the partnership with the American city begin?"),
    (PARTICIPANT_VOICE, "It began with a visit of our mayor to Chicago ten years ago."),
    (INTERVIEWER_VOICE, "What did the two cities agree to do together?"),
    (PARTICIPANT_VOICE, "We exchange students every summer and we share ideas about transport."),
    (INTERVIEWER_VOICE, "Does the region support this cooperation?"),
    (PARTICIPANT_VOICE, "Yes, the region pays for some of the travel and helps us find partners."),
)
PAUSE_S = 1.0


@dataclass(frozen=True)
class Dialogue:
    path: Path
    #: (start, end, voice) of each turn in the joined recording
    turns: list[tuple[float, float, str]]


def seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


@pytest.fixture(scope="module")
def turn_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    folder = tmp_path_factory.mktemp("dialogue")
    pause = silence(folder / "pause.wav", PAUSE_S)
    return [speak(text, folder / f"turn{i}.wav", voice)
            for i, (voice, text) in enumerate(TURNS)], pause


def timeline(paths: list[Path]) -> list[tuple[float, float, str]]:
    turns, start = [], 0.0
    for path, (voice, _) in zip(paths, TURNS, strict=True):
        turns.append((start, start + seconds(path), voice))
        start += seconds(path) + PAUSE_S
    return turns


@pytest.fixture(scope="module")
def dialogue(turn_files: tuple[list[Path], Path]) -> Dialogue:
    paths, pause = turn_files
    parts = [part for path in paths for part in (path, pause)][:-1]
    return Dialogue(join(parts, paths[0].parent / "dialogue.wav"), timeline(paths))


@pytest.fixture(scope="module")
def stereo_dialogue(turn_files: tuple[list[Path], Path]) -> Dialogue:
    """The interviewer alone on the left channel, the participant on the right."""
    paths, pause = turn_files
    folder = paths[0].parent
    channels = []
    for side, voice in enumerate((INTERVIEWER_VOICE, PARTICIPANT_VOICE)):
        parts = []
        for path, (turn_voice, _) in zip(paths, TURNS, strict=True):
            if turn_voice != voice:
                path = muted(path, folder / f"muted-{path.name}")
            parts += [path, pause]
        channels.append(join(parts[:-1], folder / f"channel{side}.wav"))
    return Dialogue(merge_channels(channels, folder / "stereo.wav"), timeline(paths))


def voice_at(dialogue: Dialogue, segment: TranscriptSegment) -> str | None:
    """The voice of the turn that holds most of the segment."""
    overlap, voice = max((min(end, segment.end) - max(start, segment.start), voice)
                         for start, end, voice in dialogue.turns)
    return voice if overlap > 0 else None


def segments_of(recording: Recording) -> list[TranscriptSegment]:
    transcript = db.session.scalar(db.select(Transcript).where(
        Transcript.recording_id == recording.id))
    db.session.refresh(transcript)
    return transcript.segments


def upload_dialogue(upload_as: Callable[..., tuple[int, dict]], interview: Interview,
                    dialogue: Dialogue) -> Recording:
    status, answer = upload_as(interview, dialogue.path.read_bytes(), filename="dialogue.wav")
    assert status == 201, answer
    return db.session.get(Recording, answer["recording_id"])


def transcribe_again(recording: Recording, user: User, **options: object) -> Recording:
    job = transcription.queue_job(recording, {**recording.latest_job.options, **options}, user)
    db.session.commit()
    assert running.run_job(job.id, Path(current_app.config["ASR_MODELS_DIR"])) == "done", job.error
    return recording


def transcribe_without_prompt(recording: Recording, user: User, **options: object) -> Recording:
    """Given the project's vocabulary as its prompt, tiny.en often stops after the first
    two turns of this dialogue (Whisper, not speakers): leave the prompt out."""
    return transcribe_again(recording, user, initial_prompt="", **options)


def share_right(segments: list[TranscriptSegment], dialogue: Dialogue,
                names: dict[str, str]) -> float:
    """The share of segments given to the speaker of their turn (names: voice -> name)."""
    right = [s for s in segments if names.get(voice_at(dialogue, s) or "") == s.speaker]
    return len(right) / len(segments)


def assert_told_apart(segments: list[TranscriptSegment], dialogue: Dialogue,
                      names: dict[str, str]) -> None:
    assert len(segments) >= 4, [s.text for s in segments]
    assert {s.speaker for s in segments} == set(names.values())
    assert share_right(segments, dialogue, names) > 0.5, [
        (s.start, s.end, s.speaker, s.text) for s in segments]


def test_a_dialogue_gets_the_interviewer_and_the_participant(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, dialogue: Dialogue,
    people: dict[str, User], files_dir: Path,
) -> None:
    recording = upload_dialogue(upload_as, interview, dialogue)
    assert recording.latest_job.options["speakers"] == "2"
    assert recording.latest_job.state == "done", recording.latest_job.error

    job = transcribe_without_prompt(recording, people["lead"]).latest_job
    assert job.options["speakers"] == "2" and job.progress == 1.0

    segments = segments_of(recording)
    pseudonym = interview.participants[0].pseudonym
    names = {INTERVIEWER_VOICE: INTERVIEWER, PARTICIPANT_VOICE: pseudonym}
    assert_told_apart(segments, dialogue, names)
    assert share_right(segments, dialogue, names) >= 0.8
    transcript = segments[0].transcript
    assert "2 speakers found" in transcript.versions[0].summary


def test_the_number_of_speakers_can_be_found_out(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, dialogue: Dialogue,
    people: dict[str, User], files_dir: Path,
) -> None:
    recording = transcribe_without_prompt(upload_dialogue(upload_as, interview, dialogue),
                                          people["lead"], speakers="detect")
    pseudonym = interview.participants[0].pseudonym
    assert_told_apart(segments_of(recording), dialogue,
                      {INTERVIEWER_VOICE: INTERVIEWER, PARTICIPANT_VOICE: pseudonym})


def test_stereo_channels_separate_the_speakers(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview,
    stereo_dialogue: Dialogue, people: dict[str, User], files_dir: Path,
) -> None:
    recording = upload_dialogue(upload_as, interview, stereo_dialogue)
    assert recording.channels == 2
    transcribe_without_prompt(recording, people["lead"])

    segments = segments_of(recording)
    pseudonym = interview.participants[0].pseudonym
    assert_told_apart(segments, stereo_dialogue,
                      {INTERVIEWER_VOICE: INTERVIEWER, PARTICIPANT_VOICE: pseudonym})


def test_one_speaker_leaves_every_segment_to_speaker_1(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview,
    stereo_dialogue: Dialogue, people: dict[str, User], files_dir: Path,
) -> None:
    recording = transcribe_again(upload_dialogue(upload_as, interview, stereo_dialogue),
                                 people["lead"], speakers="1")
    assert {s.speaker for s in segments_of(recording)} == {DEFAULT_SPEAKER}


def test_the_default_install_tells_voices_apart_with_nothing_more_to_install(
    client_for: Callable[[User | None], FlaskClient], project: Project,
    people: dict[str, User], upload_as: Callable[..., tuple[int, dict]],
    interview: Interview, dialogue: Dialogue, files_dir: Path,
) -> None:
    recording = upload_dialogue(upload_as, interview, dialogue)

    page = client_for(people["interviewer"]).get(
        f"/projects/{project.id}/recordings/{recording.id}/transcribe")
    assert page.status_code == 200
    assert "Speaker separation by voice" not in page.text
    assert "fieldwork[speakers]" not in page.text
    job = recording.latest_job
    assert job.state == "done" and job.options["speakers"] == "2"
    assert "not installed" not in segments_of(recording)[0].transcript.versions[0].summary


def test_the_speakers_option_is_checked(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, speech: Path,
    files_dir: Path,
) -> None:
    status, answer = upload_as(interview, speech.read_bytes())
    assert status == 201, answer
    recording = db.session.get(Recording, answer["recording_id"])
    with pytest.raises(transcription.JobError, match="how many people speak"):
        transcription.queue_job(recording, {**recording.latest_job.options, "speakers": "9"}, None)


def test_who_asks_the_questions_is_taken_for_the_interviewer(
    project: Project, interview: Interview, make_participant: Callable[..., Participant],
) -> None:
    said = ["I am the mayor, welcome.", "Why did you sign the agreement?", "For trade.",
            "And for culture?"]
    pseudonym = interview.participants[0].pseudonym

    assert speaker_names([0, 1, 0, 1], said, interview) == {1: INTERVIEWER, 0: pseudonym}
    assert speaker_names([0, 1, 0, 1], [s.rstrip("?") for s in said], interview) == {
        0: INTERVIEWER, 1: pseudonym}
    assert speaker_names([0, 0, 0, 0], said, interview) == {0: DEFAULT_SPEAKER}
    interview.participants.append(make_participant(project, name="Another Person"))
    assert speaker_names([0, 1, 2, 1], said, interview) == {
        1: INTERVIEWER, 0: "Speaker 2", 2: "Speaker 3"}


def test_a_running_job_says_when_it_separates_speakers(
    upload_as: Callable[..., tuple[int, dict]], interview: Interview, speech: Path,
    files_dir: Path,
) -> None:
    _, answer = upload_as(interview, speech.read_bytes())
    recording = db.session.get(Recording, answer["recording_id"])
    job = transcription.queue_job(recording, {**recording.latest_job.options, "speakers": "2"},
                                  None)
    job.state, job.progress = "running", TRANSCRIBING_SHARE / 2
    assert job.phase == "Transcribing"
    job.progress = TRANSCRIBING_SHARE + 0.05
    assert job.phase == "Separating speakers"
    job.options = {**job.options, "speakers": "1"}
    assert job.phase == "Transcribing"
