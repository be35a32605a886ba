"""Which parts of the speech stack this server has, found without loading them: the pages
can say what is missing while the web process never imports numpy's model code or PyAV."""

from __future__ import annotations

from pathlib import Path

#: the voice encoder's weights (asr.voices), shipped with Fieldwork
VOICE_ENCODER_FILE = Path(__file__).resolve().parent / "data" / "voice_encoder.npz"


def voices_available() -> bool:
    """Whether the voice encoder's file is installed (it ships with Fieldwork)."""
    return VOICE_ENCODER_FILE.is_file()
