"""Transcripts of recordings: segments with speakers and word timings, the editor's
operations, every saved version, and exports."""
