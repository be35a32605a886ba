"""Handlers of the interviews feature, one module per topic."""
