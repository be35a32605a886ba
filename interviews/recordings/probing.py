"""Checking an uploaded recording in a child process: PyAV decodes the whole file there
(recordings.media), so the web process never loads the speech stack, and a file that
crashes FFmpeg takes only the child down. The child prints what it found as JSON, or the
reason the file is unusable in words.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: the folder holding the `interviews` package, from which the child imports it
PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: the child's exit status for a file that is not usable audio (its words on stdout)
UNUSABLE = 3
#: decoding a 4 GB recording takes a few minutes
PROBE_TIMEOUT_S = 30 * 60


class MediaError(ValueError):
    """A file that is not usable audio, said in words."""


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    codec: str
    channels: int
    sample_rate: int


def probe(path: Path) -> MediaInfo:
    """Duration, codec, channels and rate of the file's first audio stream, from a child
    process that decodes it whole; MediaError if it is unusable."""
    try:
        child = subprocess.run(
            [sys.executable, "-m", "interviews.recordings.media", str(path.resolve())],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise MediaError("Checking the file took too long; it may be damaged.") from None
    if child.returncode == UNUSABLE:
        raise MediaError(child.stdout.strip())
    if child.returncode != 0:
        raise MediaError("The file could not be checked: reading it stopped the checker "
                         f"(exit status {child.returncode}); it may be damaged.")
    return MediaInfo(**json.loads(child.stdout))
