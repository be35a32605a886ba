"""Speaks one text with the eSpeak NG library that `espeakng-loader` ships, in a process of
its own: run as a script (`python espeak_once.py VOICE WORDS_PER_MINUTE`, the text on
standard input), it writes the sample rate on a line, then the 16-bit mono samples.

One text a process because the library keeps state from one text to the next, even across
espeak_Terminate: the same text spoken twice in one process differed by hundreds of
samples, so speech made in a long-lived process depended on all it had spoken before (a
test on faint speech heard different words depending on which tests ran first). Only the
standard library and the loader are imported, so the process starts in a few milliseconds.
"""

from __future__ import annotations

import ctypes
import sys

import espeakng_loader

#: espeak_AUDIO_OUTPUT: samples handed to our callback, synthesis returns when done
_AUDIO_OUTPUT_SYNCHRONOUS = 2
#: espeak_PARAMETER: words per minute
_RATE = 1
#: espeak_Synth flags: UTF-8 text, and the pause at the end of the text as the program adds
_CHARS_UTF8 = 1
_END_PAUSE = 0x1000
_POS_CHARACTER = 1
#: exit status for a voice or text the library refuses (the message is on standard error)
REFUSED = 3

_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class Refused(RuntimeError):
    """The library refused a voice or a text."""


def speak(text: str, voice: str, words_per_minute: int) -> tuple[int, bytes]:
    """The sample rate and the samples (16-bit, native byte order) of `text`."""
    library = ctypes.CDLL(espeakng_loader.get_library_path())
    data = espeakng_loader.get_data_path().encode()
    rate = library.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, ctypes.c_char_p(data), 0)
    if rate <= 0:
        raise Refused("the eSpeak NG library could not start")
    blocks: list[bytes] = []

    def collect(samples: ctypes.POINTER(ctypes.c_short), count: int, _events: int) -> int:
        if count > 0:
            blocks.append(ctypes.string_at(samples, count * 2))
        return 0

    callback = _CALLBACK(collect)
    library.espeak_SetSynthCallback(callback)
    if library.espeak_SetVoiceByName(voice.encode()) != 0:
        raise Refused(f"eSpeak NG has no voice called {voice!r}")
    library.espeak_SetParameter(_RATE, words_per_minute, 0)
    encoded = text.encode()
    status = library.espeak_Synth(
        ctypes.c_char_p(encoded), len(encoded) + 1, 0, _POS_CHARACTER, 0,
        _CHARS_UTF8 | _END_PAUSE, None, None,
    )
    if status != 0:
        raise Refused(f"eSpeak NG could not speak the text (status {status})")
    return rate, b"".join(blocks)


def main() -> int:
    voice, words_per_minute = sys.argv[1], int(sys.argv[2])
    try:
        rate, samples = speak(sys.stdin.read(), voice, words_per_minute)
    except Refused as refusal:
        print(refusal, file=sys.stderr)
        return REFUSED
    sys.stdout.buffer.write(f"{rate}\n".encode() + samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
