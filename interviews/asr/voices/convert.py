"""Convert resemblyzer's voice encoder (pretrained.pt, PyTorch) once into the numpy file
Fieldwork ships (interviews/asr/data/voice_encoder.npz): the LSTM's and the linear layer's
weights as float16, each LSTM layer's two biases added together, matrices transposed to
multiply from the right. The optimiser's state and the training-only similarity
parameters are left out. Needs resemblyzer and PyTorch, which Fieldwork itself does not.

usage (from the project folder):
    python -m interviews.asr.voices.convert [--out interviews/asr/data/voice_encoder.npz]
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import torch

from interviews.asr.voices.encoder import LAYERS, WEIGHTS_FILE


def pretrained_path() -> Path:
    """resemblyzer's pretrained.pt, found without importing resemblyzer (whose imports
    need webrtcvad and librosa)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or spec.origin is None:
        raise SystemExit("resemblyzer is not installed: pip install resemblyzer")
    return Path(spec.origin).parent / "pretrained.pt"


def converted(state: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    def array(name: str) -> np.ndarray:
        return state[name].detach().numpy().astype(np.float32)

    weights = {}
    for layer in range(LAYERS):
        weights[f"lstm{layer}_input"] = array(f"lstm.weight_ih_l{layer}").T
        weights[f"lstm{layer}_hidden"] = array(f"lstm.weight_hh_l{layer}").T
        weights[f"lstm{layer}_bias"] = array(f"lstm.bias_ih_l{layer}") + array(
            f"lstm.bias_hh_l{layer}")
    weights["linear_weight"] = array("linear.weight").T
    weights["linear_bias"] = array("linear.bias")
    return {name: value.astype(np.float16) for name, value in weights.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args()
    checkpoint = torch.load(pretrained_path(), map_location="cpu", weights_only=True)
    np.savez_compressed(args.out, **converted(checkpoint["model_state"]))
    print(f"{args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
