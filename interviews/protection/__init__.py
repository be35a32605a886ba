"""Data protection: retention rules, withdrawals applied, and the export of one participant."""
