"""Child processes: the web server's job worker, and the servers benchmarks and tests start."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """Ask the process to stop (SIGTERM) and wait; kill it if it has not within `timeout`
    seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
