"""The web process's memory: fewer malloc arenas for its threads, and the objects made at
start kept out of the garbage collector's full passes.

glibc gives each thread that allocates at the same moment as another an arena of its own,
up to eight per core, and memory freed in one arena serves only that arena. A web server's
sixteen threads each building a page, a JSON answer or an export then keep sixteen heaps,
each at its own peak: the process grew to 178 MB serving what needs 130 (docs/benchmarks.md).
Python holds the GIL while it allocates, so two arenas cost no speed. The job worker is left
as it is: its decoders allocate large blocks from threads that run without the GIL.

The modules, classes, routes and mappers made at start live as long as the process, yet each
full collection walked them all again: about 100 ms, several times a minute on a busy server,
landing on whichever request was running. Frozen, they are skipped, and a full pass takes
about 12 ms. Start-up itself runs without collection (`fieldwork` and wsgi.py turn it off
before the first import): collecting while those objects were made took a fifth of it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

WEB_ARENAS = 2
#: glibc's mallopt parameter number for the arena limit (malloc.h: M_ARENA_MAX)
M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = WEB_ARENAS) -> bool:
    """Cap glibc's malloc arenas for the threads this process starts from now on; False where
    the C library is not glibc (macOS, Windows, musl), which is left as it is."""
    if not sys.platform.startswith("linux"):
        return False
    library = ctypes.util.find_library("c")
    if library is None:
        return False
    libc = ctypes.CDLL(library)
    if not hasattr(libc, "mallopt") or not hasattr(libc, "gnu_get_libc_version"):
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def freeze_startup_objects() -> None:
    """Keep every object alive now out of later collections (they stay alive), and turn
    collection on if start-up had turned it off. No collection first: start-up leaves a few
    hundred objects of garbage, not worth the 60 ms of a full pass."""
    gc.freeze()
    gc.enable()


def prepare_web_process() -> None:
    """Call once the app is made and before the server starts its threads."""
    limit_malloc_arenas()
    freeze_startup_objects()
