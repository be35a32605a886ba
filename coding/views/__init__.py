"""Handlers of the coding pages: sources, the coding page and its requests, the codebook,
memos and the coding comparison."""
