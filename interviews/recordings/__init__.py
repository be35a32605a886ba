"""Recordings of interviews: resumable uploads, media probing, playback copies and the
background transcription jobs that turn them into transcripts."""
