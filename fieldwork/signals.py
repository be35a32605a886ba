"""Where features meet: every signal one package sends and a later package may receive.

Imports flow one way (fieldwork <- casestudies <- interviews <- coding), so a package tells
the packages that build on it about a change by sending a signal declared here, never by
calling them. Receivers run inside the sender's transaction: what they write is committed
or rolled back with the change that caused it.

- ``transcript_saved``: a transcript's segments or status were saved as a new version.
  Sender: the ``Transcript``; keyword ``user``: who saved it (None for a transcription job).
  Received by coding, which makes a transcript marked ready for coding a source and keeps
  the codings of its source on the same words.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

transcript_saved = _signals.signal("transcript-saved")
