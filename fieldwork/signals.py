"""Where features meet: every signal one package sends and a later package may receive.

Imports flow one way (fieldwork <- casestudies <- interviews <- coding), so a package tells
the packages that build on it about a change by sending a signal declared here, never by
calling them. Receivers run inside the sender's transaction: what they write is committed
or rolled back with the change that caused it.

- ``transcript_saved``: a transcript's segments or status were saved as a new version.
  Sender: the ``Transcript``; keyword ``user``: who saved it (None for a transcription job).
  Received by coding, which makes a transcript marked ready for coding a source and keeps
  the codings of its source on the same words.
- ``withdrawal_applying``: a participant's withdrawal of consent is being applied, after
  their transcripts were pseudonymised and before they are deleted (if the lead chose so).
  Sender: the ``Participant``; keywords ``transcripts`` (the interviews' transcripts),
  ``delete_transcripts`` and ``keep_codings`` (the lead's choices), ``user``. Received by
  coding, which removes the codings on those transcripts' sources or keeps them with their
  quotes pseudonymised; each receiver returns how many codings it removed or kept.
- ``participant_exporting``: everything held about a participant is being exported.
  Sender: the ``Participant``; keyword ``transcripts``. Each receiver returns a dict of
  sections to add to the export (coding: the codings and quotes on those transcripts).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

transcript_saved = _signals.signal("transcript-saved")
withdrawal_applying = _signals.signal("withdrawal-applying")
participant_exporting = _signals.signal("participant-exporting")
