"""The web process stays light: building the app, which imports every page's module, and
answering the login page load none of the speech stack (only the worker loads it, when a
job runs: interviews.recordings.tasks), nor openpyxl and numpy, loaded by the first
workbook made or read, nor the readers of Word and PDF documents, the password checker's
word lists, the QR code maker and the calendar file writer, loaded by their first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEECH_STACK = ("faster_whisper", "ctranslate2", "av", "onnxruntime", "torch", "whisper",
                "resemblyzer", "sklearn", "tokenizers")
LOADED_WHEN_NEEDED = ("openpyxl", "numpy", "docx", "pypdf", "zxcvbn", "segno", "icalendar")
WEB_PROCESS = """
import json, sys
from fieldwork.app import create_app

settings, watched = json.loads(sys.argv[1]), json.loads(sys.argv[2])
answer = create_app(settings).test_client().get("/login")
print(json.dumps({"status": answer.status_code,
                  "loaded": [name for name in watched if name in sys.modules]}))
"""


def test_the_web_process_never_loads_the_speech_stack(app: Flask) -> None:
    settings = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "FILES_DIR")}
    watched = json.dumps(SPEECH_STACK + LOADED_WHEN_NEEDED)
    child = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS, json.dumps(settings), watched],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )
    assert json.loads(child.stdout) == {"status": 200, "loaded": []}
