"""Convert a CTranslate2 Whisper model folder into an openai-whisper checkpoint (.pt).

No openai-whisper checkpoint can be downloaded here, but the packaged CTranslate2 models hold
the same weights under other names: this maps them back, so that both engines can run on
the same weights. Only float16 and float32 models convert; int8-quantised ones do not.

CTranslate2 fuses the self-attention query, key and value projections into one matrix
(`linear_0`) and the cross-attention key and value into another (`linear_1`), and keeps no
key bias (Whisper has none): the conversion splits them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interviews.asr.base import InvalidModel
from interviews.asr.ct2 import load_variables
from interviews.asr.reference import require_torch

CHECKPOINT_NAME = "openai-whisper.pt"

Variables = dict[str, np.ndarray]
StateDict = dict[str, np.ndarray]


@dataclass(frozen=True)
class Checkpoint:
    dims: dict[str, int]
    state: StateDict
    #: (decoder layer, head) pairs that follow the audio, for word timestamps.
    alignment_heads: list[list[int]]


def _half(array: np.ndarray) -> np.ndarray:
    """A float16 copy: the variables are read-only views of the model file."""
    return np.array(array, dtype=np.float16, order="C")


def _layer_numbers(variables: Variables, stack: str) -> list[int]:
    pattern = re.compile(rf"{stack}/layer_(\d+)/")
    return sorted({int(m[1]) for name in variables if (m := pattern.match(name))})


def _layer_norm(variables: Variables, source: str, target: str) -> StateDict:
    return {
        f"{target}.weight": _half(variables[f"{source}/gamma"]),
        f"{target}.bias": _half(variables[f"{source}/beta"]),
    }


def _linear(variables: Variables, source: str, target: str) -> StateDict:
    return {
        f"{target}.weight": _half(variables[f"{source}/weight"]),
        f"{target}.bias": _half(variables[f"{source}/bias"]),
    }


def _self_attention(variables: Variables, source: str, target: str) -> StateDict:
    query, key, value = np.split(variables[f"{source}/linear_0/weight"], 3)
    query_bias, _, value_bias = np.split(variables[f"{source}/linear_0/bias"], 3)
    return {
        f"{target}.query.weight": _half(query),
        f"{target}.query.bias": _half(query_bias),
        f"{target}.key.weight": _half(key),
        f"{target}.value.weight": _half(value),
        f"{target}.value.bias": _half(value_bias),
        **_linear(variables, f"{source}/linear_1", f"{target}.out"),
    }


def _cross_attention(variables: Variables, source: str, target: str) -> StateDict:
    key, value = np.split(variables[f"{source}/linear_1/weight"], 2)
    _, value_bias = np.split(variables[f"{source}/linear_1/bias"], 2)
    return {
        **_linear(variables, f"{source}/linear_0", f"{target}.query"),
        f"{target}.key.weight": _half(key),
        f"{target}.value.weight": _half(value),
        f"{target}.value.bias": _half(value_bias),
        **_linear(variables, f"{source}/linear_2", f"{target}.out"),
    }


def _feed_forward(variables: Variables, source: str, target: str) -> StateDict:
    return {
        **_linear(variables, f"{source}/linear_0", f"{target}.mlp.0"),
        **_linear(variables, f"{source}/linear_1", f"{target}.mlp.2"),
        **_layer_norm(variables, f"{source}/layer_norm", f"{target}.mlp_ln"),
    }


def _encoder(variables: Variables) -> StateDict:
    state = {
        **_linear(variables, "encoder/conv1", "encoder.conv1"),
        **_linear(variables, "encoder/conv2", "encoder.conv2"),
        "encoder.positional_embedding": np.array(
            variables["encoder/position_encodings/encodings"], dtype=np.float32, order="C"
        ),
        **_layer_norm(variables, "encoder/layer_norm", "encoder.ln_post"),
    }
    for i in _layer_numbers(variables, "encoder"):
        source, target = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        state |= _self_attention(variables, f"{source}/self_attention", f"{target}.attn")
        state |= _layer_norm(variables, f"{source}/self_attention/layer_norm", f"{target}.attn_ln")
        state |= _feed_forward(variables, f"{source}/ffn", target)
    return state


def _decoder(variables: Variables) -> StateDict:
    state = {
        "decoder.token_embedding.weight": _half(variables["decoder/embeddings/weight"]),
        "decoder.positional_embedding": _half(variables["decoder/position_encodings/encodings"]),
        **_layer_norm(variables, "decoder/layer_norm", "decoder.ln"),
    }
    for i in _layer_numbers(variables, "decoder"):
        source, target = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        state |= _self_attention(variables, f"{source}/self_attention", f"{target}.attn")
        state |= _layer_norm(variables, f"{source}/self_attention/layer_norm", f"{target}.attn_ln")
        state |= _cross_attention(variables, f"{source}/attention", f"{target}.cross_attn")
        state |= _layer_norm(variables, f"{source}/attention/layer_norm", f"{target}.cross_attn_ln")
        state |= _feed_forward(variables, f"{source}/ffn", target)
    return state


def _dims(variables: Variables) -> dict[str, int]:
    state_size = variables["encoder/conv1/bias"].shape[0]
    heads = int(np.asarray(variables["encoder/num_heads"]).reshape(-1)[0])
    return {
        "n_mels": variables["encoder/conv1/weight"].shape[1],
        "n_audio_ctx": variables["encoder/position_encodings/encodings"].shape[0],
        "n_audio_state": state_size,
        "n_audio_head": heads,
        "n_audio_layer": len(_layer_numbers(variables, "encoder")),
        "n_vocab": variables["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": variables["decoder/position_encodings/encodings"].shape[0],
        "n_text_state": state_size,
        "n_text_head": heads,
        "n_text_layer": len(_layer_numbers(variables, "decoder")),
    }


def _check_convertible(model_dir: Path, variables: Variables) -> None:
    if "encoder/conv1/weight" not in variables:
        raise InvalidModel(f"{model_dir} does not hold a Whisper model")
    if any(name.endswith("weight_scale") for name in variables):
        raise InvalidModel(f"{model_dir} holds an int8-quantised model, which cannot be converted")


def read_checkpoint(model_dir: Path) -> Checkpoint:
    """The openai-whisper weights and dimensions of a CTranslate2 Whisper model folder."""
    model_bin = model_dir / "model.bin"
    if not model_bin.is_file():
        raise InvalidModel(f"{model_dir} has no model.bin")
    variables = load_variables(model_bin)
    _check_convertible(model_dir, variables)
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return Checkpoint(
        dims={key: int(value) for key, value in _dims(variables).items()},
        state=_encoder(variables) | _decoder(variables),
        alignment_heads=[list(pair) for pair in config.get("alignment_heads", [])],
    )


def convert_ct2_to_openai(model_dir: Path, out_path: Path) -> Path:
    """Write model_dir's weights as an openai-whisper checkpoint, atomically."""
    torch = require_torch()
    checkpoint = read_checkpoint(Path(model_dir))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "dims": checkpoint.dims,
        "model_state_dict": {
            name: torch.from_numpy(array) for name, array in checkpoint.state.items()
        },
        "alignment_heads": checkpoint.alignment_heads,
    }
    handle, temporary = tempfile.mkstemp(dir=out_path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(payload, file)
        os.replace(temporary, out_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out_path


def checkpoint_path(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """Where the converted checkpoint of model_dir is kept.

    Beside the model, or, for a model in a folder that is not ours (a Python package),
    in cache_dir under the folder's name and a digest of its path.
    """
    if cache_dir is None:
        return model_dir / CHECKPOINT_NAME
    digest = hashlib.sha256(str(model_dir.resolve()).encode()).hexdigest()[:12]
    return cache_dir / f"{model_dir.name}-{digest}" / CHECKPOINT_NAME


def cached_checkpoint(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """The converted checkpoint of model_dir, converting only when it is missing or stale."""
    target = checkpoint_path(model_dir, cache_dir)
    model_bin = model_dir / "model.bin"
    if not target.is_file() or target.stat().st_mtime < model_bin.stat().st_mtime:
        convert_ct2_to_openai(model_dir, target)
    return target
