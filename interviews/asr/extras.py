"""Which optional parts of the speech stack this server has, found without importing them:
the pages can say what is missing while the web process never loads PyTorch or
scikit-learn."""

from __future__ import annotations

import importlib.util

SPEAKERS_INSTALL_HINT = 'pip install "fieldwork[speakers]"'


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:  # set to None in sys.modules: blocked from being imported
        return False


def voices_available() -> bool:
    """Whether resemblyzer and scikit-learn (speaker separation by voice) are installed."""
    return all(installed(module) for module in ("resemblyzer", "sklearn"))
