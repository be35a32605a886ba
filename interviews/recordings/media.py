"""What a media file holds (probed with PyAV), and a playback copy every browser plays.

The playback copy is AAC in an MP4 container (.m4a): the one audio format that Firefox,
Chrome and Safari all play; Opus in WebM is not played by older Safari.

Only the worker imports this module (PyAV); the web process runs it as a child process to
check an upload (`python -m interviews.recordings.media FILE`, recordings.probing).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from interviews.recordings.probing import UNUSABLE, MediaError, MediaInfo

#: a file shorter than this holds no usable speech
MIN_DURATION_S = 0.2
PLAYBACK_CODEC = "aac"
PLAYBACK_RATE = 44_100
PLAYBACK_BIT_RATE = 96_000
PLAYBACK_CONTENT_TYPE = "audio/mp4"
#: points of the waveform drawn in the editor
PEAK_COUNT = 20_000
PEAKS_PER_SECOND = 20


def _open(path: Path) -> av.container.InputContainer:
    if path.stat().st_size == 0:
        raise MediaError("The file is empty.")
    try:
        return av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError):
        raise MediaError(
            "This is not an audio or video file that can be read (or it is damaged)."
        ) from None


def _decoded_duration(container: av.container.InputContainer) -> float:
    """Seconds of audio actually decodable: a truncated file decodes less than it claims."""
    stream = container.streams.audio[0]
    last = 0.0
    for frame in container.decode(stream):
        if frame.time is not None:
            last = max(last, frame.time + frame.samples / (frame.sample_rate or 1))
    return last


def probe(path: Path) -> MediaInfo:
    """Duration, codec, channels and rate of the first audio stream; MediaError if unusable.

    The whole file is decoded once, so a truncated or corrupt file is caught here rather
    than in the middle of a transcription.
    """
    container = _open(path)
    with container:
        if not container.streams.audio:
            raise MediaError("The file has no sound in it (no audio track).")
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        channels = stream.codec_context.channels
        rate = stream.codec_context.sample_rate
        try:
            duration = _decoded_duration(container)
        except (av.error.FFmpegError, ValueError):
            raise MediaError("The file is damaged: its audio cannot be decoded.") from None
    if duration < MIN_DURATION_S:
        raise MediaError("The file holds no audio (it lasts less than a fraction of a second).")
    return MediaInfo(duration_s=round(duration, 3), codec=codec, channels=channels,
                     sample_rate=rate)


def frame_peaks(frame: av.AudioFrame) -> list[float]:
    """The loudest sample of each 1/PEAKS_PER_SECOND of a frame, over all channels."""
    samples = np.abs(frame.to_ndarray()).max(axis=0)
    block = max(frame.sample_rate // PEAKS_PER_SECOND, 1)
    return [float(samples[i:i + block].max()) for i in range(0, samples.size, block)]


def downsample(values: list[float], count: int) -> list[float]:
    """At most `count` values, each the largest of its stretch, rounded for a small JSON."""
    if len(values) <= count:
        return [round(v, 3) for v in values]
    step = len(values) / count
    return [round(max(values[int(i * step):int((i + 1) * step)] or [0.0]), 3)
            for i in range(count)]


def make_playback_copy(source: Path, target: Path) -> list[float]:
    """Write an AAC (.m4a) copy of source's first audio stream to target, frame by frame;
    return the waveform's peaks (0..1) for the editor, so browsers never decode a long
    recording to draw it."""
    peaks: list[float] = []
    with av.open(str(source)) as inp, av.open(str(target), mode="w", format="ipod") as out:
        in_stream = inp.streams.audio[0]
        layout = "stereo" if in_stream.codec_context.channels > 1 else "mono"
        out_stream = out.add_stream(PLAYBACK_CODEC, rate=PLAYBACK_RATE, layout=layout)
        out_stream.bit_rate = PLAYBACK_BIT_RATE
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=PLAYBACK_RATE)
        encoder = FrameEncoder(out, out_stream)
        for frame in inp.decode(in_stream):
            frame.pts = None
            for resampled in resampler.resample(frame):
                peaks.extend(frame_peaks(resampled))
                encoder.add(resampled)
        for resampled in resampler.resample(None):
            encoder.add(resampled)
        encoder.finish()
    return downsample(peaks, PEAK_COUNT)


class FrameEncoder:
    """Audio to an encoder in frames of exactly its frame size, each stamped with its time
    in samples. Handed the resampler's frames as they come, the AAC encoder gave two packets
    the same time at the end of some recordings (a 3.9-s clip one way, 5 samples longer the
    other), and the muxer refused the second ("Invalid argument"): no playback copy."""

    def __init__(self, out: av.container.OutputContainer, stream: av.audio.AudioStream) -> None:
        self.out, self.stream = out, stream
        self.size = stream.codec_context.frame_size or 1024
        self.fifo = av.AudioFifo()
        self.written = 0

    def add(self, frame: av.AudioFrame) -> None:
        self.fifo.write(frame)
        while self.fifo.samples >= self.size:
            self._encode(self.fifo.read(self.size))

    def finish(self) -> None:
        if self.fifo.samples:
            self._encode(self.fifo.read())
        self.out.mux(self.stream.encode(None))

    def _encode(self, frame: av.AudioFrame) -> None:
        frame.pts = self.written
        frame.time_base = Fraction(1, frame.sample_rate)
        self.written += frame.samples
        self.out.mux(self.stream.encode(frame))


def main(argv: list[str]) -> int:
    """Probe the file named in argv; print its MediaInfo as JSON, or why it is unusable."""
    try:
        info = probe(Path(argv[1]))
    except MediaError as error:
        print(error)
        return UNUSABLE
    print(json.dumps(asdict(info)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
