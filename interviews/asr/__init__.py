"""Offline speech recognition behind one small interface (see base.Engine).

Plain Python with no Flask: background jobs and benchmarks call it. Start from
`engines.get_engine`.
"""
