"""Telling voices apart with nothing beyond numpy: resemblyzer's preprocessing (mel) and
voice encoder (encoder, its weights converted once by convert), embeddings of a recording's
stretches of speech (embedding) and their grouping by speaker (clustering).
"""
