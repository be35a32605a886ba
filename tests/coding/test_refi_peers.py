"""Peer readers from the package registries read Fieldwork's .qdpx exports: pyqdpx (codes,
users, sources and every selection's words) and qualitative-coding (its importer, run as its
`qc init --import` command). Each test skips, saying why, where its reader is not installed:
the dev extras bring pyqdpx on Python 3.12 or newer (its code needs them; PYQDPX_PYTHON can
name such a Python), and leave out qualitative-coding, which pulls in spaCy (install it
beside the tests, pip install qualitative-coding, so that its `qc` is on the PATH)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coding import refi
from coding.codebook import code_paths
from coding.models import Coding
from fieldwork.extensions import db
from tests.coding.test_refi import coded, lead_viewer  # noqa: F401

#: NVivo's zero-width stand-in that pyqdpx puts after each character beyond the BMP
ZERO_WIDTH = "\u200b"


@pytest.fixture
def exported(coded, people, tmp_path) -> Path:  # noqa: F811
    """The `coded` project (Polish, Chinese and astral text, two coders) as a .qdpx."""
    path = tmp_path / "coded.qdpx"
    path.write_bytes(refi.project_qdpx(coded, lead_viewer(people)).data)
    return path


#: run by the Python that has pyqdpx: what it reads of the export, as JSON
PYQDPX_SCRIPT = """
import json, sys
import pyqdpx
project = pyqdpx.QDPX(sys.argv[1]).get_project()
print(json.dumps({
    "codes": sorted(code.name for code in project.codes.values()),
    "users": sorted(user.name for user in project.users.values()),
    "sources": {source.name: [[selection.text, selection.code.name, selection.user.name]
                              for selection in source.coded_selections.values()]
                for source in project.sources.values()}}))
"""


def pyqdpx_python() -> str:
    """This Python if pyqdpx imports in it, else PYQDPX_PYTHON's (pyqdpx 0.1.8 is written
    for Python 3.12 or newer, though it says 3.8)."""
    reasons = []
    for python in filter(None, (sys.executable, os.environ.get("PYQDPX_PYTHON"))):
        tried = subprocess.run([python, "-c", "import pyqdpx"], capture_output=True,
                               text=True, timeout=60, check=False)
        if tried.returncode == 0:
            return python
        reasons.append(f"{python}: {tried.stderr.strip().splitlines()[-1]}")
    pytest.skip("pyqdpx cannot be imported (pip install pyqdpx on Python 3.12 or newer, or "
                "name such a Python in PYQDPX_PYTHON): " + "; ".join(reasons))


def test_pyqdpx_reads_codes_users_sources_and_selections(coded, exported):  # noqa: F811
    python = pyqdpx_python()
    result = subprocess.run([python, "-c", PYQDPX_SCRIPT, str(exported)], capture_output=True,
                            text=True, timeout=120, check=True)
    read = json.loads(result.stdout.strip().splitlines()[-1])
    paths = code_paths(coded)
    assert read["codes"] == sorted(path.rsplit(" › ", 1)[-1] for path in paths.values())
    assert read["users"] == ["Coder", "Lead"]
    expected: dict[str, list[list[str]]] = {}
    for coding in db.session.scalars(db.select(Coding).where(Coding.project_id == coded.id)):
        expected.setdefault(coding.source.title, []).append(
            [coding.quote, coding.code.name, coding.coder.name])
    assert set(read["sources"]) == set(expected)
    for title, codings in expected.items():
        found = sorted([text.replace(ZERO_WIDTH, ""), code, user]
                       for text, code, user in read["sources"][title])
        if title == "Chengdu":
            # pyqdpx counts positions as NVivo does (UTF-16 units): after a character
            # beyond the BMP, code points (the standard's and Fieldwork's) land elsewhere
            assert len(found) == len(codings) and found != sorted(codings)
            continue
        assert found == sorted(codings)


def qc_command() -> str:
    command = shutil.which("qc")
    if command is None:
        pytest.skip("qualitative-coding is not installed (pip install qualitative-coding): "
                    "it brings spaCy, so the dev extras leave it out")
    return command


def test_qualitative_coding_imports_the_export(exported, tmp_path):
    command = qc_command()
    target = tmp_path / "qc"
    target.mkdir()
    # its importer stops at a breakpoint() left in its code: PYTHONBREAKPOINT=0 skips it
    result = subprocess.run([command, "init", "--import", str(exported)], cwd=target,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONBREAKPOINT": "0"}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = sorted(path.name for path in (target / "corpus").iterdir())
    assert imported == sorted(["Notatki, Wrocław.txt", "广州 notes.txt", "Chengdu.txt"])
