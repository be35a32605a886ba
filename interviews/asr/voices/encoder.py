"""resemblyzer's voice encoder in numpy: three LSTM layers over 160 frames of a 40-channel
mel spectrogram, the last layer's final state through a linear layer and a ReLU, scaled to
unit length. The weights are resemblyzer's (Apache-2.0), converted once by
`python -m interviews.asr.voices.convert` into a file shipped with Fieldwork (its origin
and licence: interviews/asr/data/VOICE_ENCODER.md).

All the windows of a batch go through the LSTM together, one time step at a time, so the
work is a few large matrix products per step.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from interviews.asr.extras import VOICE_ENCODER_FILE

WEIGHTS_FILE = VOICE_ENCODER_FILE
LAYERS = 3
HIDDEN = 256
EMBEDDING_SIZE = 256
#: Windows that go through the LSTM together: enough for large matrix products, few enough
#: to keep the gates of every step (windows x frames x 4 x HIDDEN float32) near 100 MB.
BATCH = 128


#: The gates' scale before one tanh over all of them: the input, forget and output gates'
#: logistic function is 0.5 + 0.5 * tanh(x / 2) (which never overflows), the cell's is tanh.
_GATE_SCALE = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=np.float32), HIDDEN)


class VoiceEncoder:
    """Voice embeddings of partial windows' mel spectrograms."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = {name: value.astype(np.float32) for name, value in weights.items()}

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> VoiceEncoder:
        with np.load(path) as stored:
            return cls(dict(stored))

    def _lstm_layer(self, layer: int, inputs: np.ndarray) -> np.ndarray:
        """Hidden states of every step, shape (frames, windows, HIDDEN), of time-major inputs."""
        w = self.weights
        gates_in = (inputs @ w[f"lstm{layer}_input"] + w[f"lstm{layer}_bias"]) * _GATE_SCALE
        hidden_weights = w[f"lstm{layer}_hidden"] * _GATE_SCALE
        hidden = np.zeros((inputs.shape[1], HIDDEN), dtype=np.float32)
        cell = np.zeros_like(hidden)
        states = np.empty((inputs.shape[0], *hidden.shape), dtype=np.float32)
        for step, step_gates in enumerate(gates_in):
            gates = np.tanh(step_gates + hidden @ hidden_weights)
            # PyTorch's gate order: input, forget, cell, output.
            i, f, g, o = np.split(gates, 4, axis=1)
            cell = (0.5 + 0.5 * f) * cell + (0.5 + 0.5 * i) * g
            hidden = (0.5 + 0.5 * o) * np.tanh(cell)
            states[step] = hidden
        return states

    def _embed_batch(self, mels: np.ndarray) -> np.ndarray:
        states = np.ascontiguousarray(mels.transpose(1, 0, 2), dtype=np.float32)
        for layer in range(LAYERS):
            states = self._lstm_layer(layer, states)
        raw = np.maximum(states[-1] @ self.weights["linear_weight"]
                         + self.weights["linear_bias"], 0.0)
        return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)

    def embed(self, mels: np.ndarray) -> np.ndarray:
        """Unit-length embeddings, shape (windows, EMBEDDING_SIZE), of mel spectrograms of
        shape (windows, frames, 40)."""
        if not len(mels):
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        return np.concatenate(
            [self._embed_batch(mels[start : start + BATCH])
             for start in range(0, len(mels), BATCH)]
        ).astype(np.float32)


@lru_cache(maxsize=1)
def voice_encoder() -> VoiceEncoder:
    """The shipped encoder, loaded once per process."""
    return VoiceEncoder.load()
