"""The CTranslate2 → openai-whisper conversion, and the `fieldwork asr` commands."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from interviews.asr.base import InvalidModel
from interviews.asr.commands import asr_cli
from interviews.asr.convert import cached_checkpoint, read_checkpoint
from interviews.asr.ct2 import load_variables
from interviews.asr.weights import packaged_model_path


def test_the_tensors_map_to_openai_whisper_names():
    model_dir = packaged_model_path()
    variables = load_variables(model_dir / "model.bin")

    checkpoint = read_checkpoint(model_dir)

    assert checkpoint.dims == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 384,
        "n_audio_head": 6,
        "n_audio_layer": 4,
        "n_vocab": 51864,
        "n_text_ctx": 448,
        "n_text_state": 384,
        "n_text_head": 6,
        "n_text_layer": 4,
    }
    fused = variables["decoder/layer_2/self_attention/linear_0/weight"]
    np.testing.assert_array_equal(
        checkpoint.state["decoder.blocks.2.attn.key.weight"], fused[384:768]
    )
    assert "decoder.blocks.2.attn.key.bias" not in checkpoint.state
    assert checkpoint.alignment_heads[0] == [1, 0]


def test_openai_whisper_loads_the_checkpoint(tiny_checkpoint):
    whisper = pytest.importorskip("whisper")

    model = whisper.load_model(str(tiny_checkpoint), device="cpu")

    assert not model.is_multilingual
    assert model.dims.n_text_layer == 4


def test_a_checkpoint_is_converted_once(tiny_checkpoint):
    model_dir = packaged_model_path()
    converted_at = tiny_checkpoint.stat().st_mtime_ns

    again = cached_checkpoint(model_dir, tiny_checkpoint.parent.parent)

    assert again == tiny_checkpoint
    assert again.stat().st_mtime_ns == converted_at
    assert not list(tiny_checkpoint.parent.glob("*.part"))


def test_a_folder_without_a_model_is_refused(tmp_path):
    with pytest.raises(InvalidModel, match=r"has no model\.bin"):
        read_checkpoint(tmp_path)


def test_the_convert_command_writes_a_checkpoint(app, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not installed (extra: whisper)")
    out = tmp_path / "tiny.pt"

    result = app.test_cli_runner().invoke(
        asr_cli, ["convert", str(packaged_model_path()), str(out)]
    )

    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 60_000_000
    assert os.listdir(tmp_path) == ["tiny.pt"]


def test_the_list_command_shows_every_model(app):
    result = app.test_cli_runner().invoke(asr_cli, ["list"])

    assert result.exit_code == 0, result.output
    assert "tiny.en\t" in result.output
    assert "small\tcannot be installed" in result.output


def test_the_install_command_says_what_is_wrong(app):
    result = app.test_cli_runner().invoke(asr_cli, ["install", "medium"])

    assert result.exit_code == 1
    assert "medium is not a model that can be installed: choose base" in result.output
    assert not Path(app.instance_path, "asr-models", "medium").exists()
