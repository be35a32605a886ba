"""Reading a recording a stretch at a time, resampled to 16 kHz, for Whisper and the voice
encoder: a 2-hour recording is never held in memory whole (decoded, it would be 460 MB per
channel, and Whisper's features of it several GB).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16_000


def channel_count(audio_path: Path | str) -> int:
    with av.open(str(audio_path), metadata_errors="ignore") as container:
        return container.streams.audio[0].codec_context.channels


def _valid_frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    """The first audio stream's frames, skipping the damaged ones (as faster-whisper does)."""
    frames = container.decode(audio=0)
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue


def pcm_blocks(audio_path: Path | str, channels: int = 1) -> Iterator[np.ndarray]:
    """The recording as float32 blocks of shape (channels, samples) at SAMPLE_RATE."""
    layout = "stereo" if channels == 2 else "mono"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    with av.open(str(audio_path), metadata_errors="ignore") as container:
        for frame in _valid_frames(container):
            frame.pts = None
            for resampled in resampler.resample(frame):
                yield resampled.to_ndarray()
    for resampled in resampler.resample(None):
        yield resampled.to_ndarray()


def whole_recording(audio_path: Path | str) -> np.ndarray:
    """The whole recording, mono float32 at SAMPLE_RATE, as openai-whisper's `load_audio`
    gives it, but decoded with PyAV, so that no ffmpeg program is needed."""
    blocks = [block[0] for block in pcm_blocks(audio_path)]
    return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)


def audio_duration(audio_path: Path | str) -> float:
    """Seconds, from the container's header, or by decoding when the header does not say
    (recordings made in a browser often lack it)."""
    with av.open(str(audio_path), metadata_errors="ignore") as container:
        if container.duration is not None:
            return container.duration / av.time_base
    return sum(block.shape[1] for block in pcm_blocks(audio_path)) / SAMPLE_RATE


class AudioWindow:
    """Samples between two times of a recording, decoded as they are asked for.

    Asking for a stretch lets go of everything before its start, so stretches must be asked
    for in order of their start; a stretch that starts before an earlier one's start gets
    only what is still held.
    """

    def __init__(self, audio_path: Path | str, channels: int = 1) -> None:
        self.channels = channels
        self._blocks = pcm_blocks(audio_path, channels)
        self._held = np.zeros((channels, 0), dtype=np.float32)
        #: the sample number of the first held sample
        self._offset = 0

    def between(self, start: float, end: float) -> np.ndarray:
        """Shape (channels, samples); shorter than asked for at the end of the recording."""
        first, last = round(start * SAMPLE_RATE), round(end * SAMPLE_RATE)
        self._decode_until(last)
        self._let_go_before(first)
        return self._held[:, max(first - self._offset, 0) : max(last - self._offset, 0)]

    def _let_go_before(self, sample: int) -> None:
        drop = min(max(sample - self._offset, 0), self._held.shape[1])
        if drop:
            self._held = self._held[:, drop:].copy()
            self._offset += drop

    def _decode_until(self, sample: int) -> None:
        missing = sample - self._offset - self._held.shape[1]
        if missing <= 0:
            return
        blocks = [self._held]
        for block in self._blocks:
            blocks.append(block)
            missing -= block.shape[1]
            if missing <= 0:
                break
        if len(blocks) > 1:
            self._held = np.concatenate(blocks, axis=1)
