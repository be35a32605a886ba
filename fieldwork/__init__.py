"""Fieldwork: interviews, transcripts and qualitative coding for research on city diplomacy.

The application is built by `fieldwork.app.create_app()`.
"""
