"""The web process stays light: building the app, which imports every page's module, and
answering the login page load none of the speech stack (only the worker loads it, when a
job runs: interviews.recordings.tasks), nor openpyxl and numpy, loaded by the first
workbook made or read, nor the readers of Word and PDF documents, the password checker's
word lists, the QR code maker and the calendar file writer, loaded by their first use.
Its threads share two malloc arenas, and the objects made at start are frozen out of the
garbage collector's passes (fieldwork.memory)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest
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
COMMAND_LINE = """
import gc, sys
import fieldwork.__main__ as command_line

off_while_importing = not gc.isenabled()
sys.argv = ["fieldwork", "--help"]
try:
    command_line.main()
except SystemExit:
    pass
print(off_while_importing, gc.isenabled())
"""
FROZEN_AT_START = """
import gc, json, sys
from fieldwork.app import create_app
from fieldwork.memory import prepare_web_process

app = create_app(json.loads(sys.argv[1]))
tracked = len(gc.get_objects())
prepare_web_process()
print(json.dumps({"tracked_before": tracked, "tracked_after": len(gc.get_objects()),
                  "frozen": gc.get_freeze_count(),
                  "status": app.test_client().get("/login").status_code}))
"""
ARENAS_AFTER_THREADS = """
import ctypes, threading
from fieldwork.memory import limit_malloc_arenas

capped = limit_malloc_arenas()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.open_memstream.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
together = threading.Barrier(16)

def allocate():
    together.wait()
    [libc.malloc(4096) for _ in range(200)]
    together.wait()

threads = [threading.Thread(target=allocate) for _ in range(16)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
report, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = libc.open_memstream(ctypes.byref(report), ctypes.byref(size))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(capped, report.value.decode().count("<heap nr="))
"""


def test_the_web_process_never_loads_the_speech_stack(app: Flask) -> None:
    settings = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "FILES_DIR")}
    watched = json.dumps(SPEECH_STACK + LOADED_WHEN_NEEDED)
    child = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS, json.dumps(settings), watched],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )
    assert json.loads(child.stdout) == {"status": 200, "loaded": []}


def test_the_command_line_imports_without_collection_and_runs_every_command_with_it() -> None:
    """`fieldwork` turns the collector off while it imports (a fifth of its start) and back
    on before any command runs, with an app or without."""
    child = subprocess.run([sys.executable, "-c", COMMAND_LINE], cwd=PROJECT_ROOT,
                           capture_output=True, text=True, check=True)

    assert child.stdout.splitlines()[-1] == "True True"


def test_objects_made_at_start_are_left_out_of_collections(app: Flask) -> None:
    """A full collection no longer walks the 160,000 objects of the app's modules, classes
    and routes; the app answers as before."""
    settings = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "FILES_DIR")}
    child = subprocess.run([sys.executable, "-c", FROZEN_AT_START, json.dumps(settings)],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    figures = json.loads(child.stdout)

    assert figures["status"] == 200
    assert figures["frozen"] > 100_000 > 1_000 > figures["tracked_after"]


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the cap is glibc's")
def test_sixteen_threads_allocating_at_once_share_two_arenas() -> None:
    """Without the cap glibc makes an arena for each thread that meets another in malloc
    (up to 8 per core); with it, the threads share two."""
    answer = subprocess.run([sys.executable, "-c", ARENAS_AFTER_THREADS], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True).stdout.split()

    assert answer == ["True", "2"]
