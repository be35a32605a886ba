"""Reading CTranslate2 model files (model.bin) without CTranslate2.

The format, as CTranslate2's `ModelSpec` writes it (little-endian):

    u32 binary version, string spec name, u32 spec revision, u32 variable count,
    per variable: string name, u8 rank, u32 dims[rank], u8 dtype, u32 byte count, bytes,
    u32 alias count, per alias: string alias, string variable name.

A string is a u16 length (counting a trailing NUL) followed by its UTF-8 bytes and the NUL.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from interviews.asr.base import InvalidModel

DTYPES: dict[int, type[np.generic]] = {
    0: np.float32,
    1: np.int8,
    2: np.int16,
    3: np.int32,
    4: np.float16,
}


@dataclass(frozen=True)
class Variable:
    name: str
    dtype: type[np.generic]
    shape: tuple[int, ...]
    offset: int
    nbytes: int


def _unpack(file: BinaryIO, fmt: str) -> tuple[int, ...]:
    size = struct.calcsize("<" + fmt)
    data = file.read(size)
    if len(data) != size:
        raise InvalidModel(f"{getattr(file, 'name', 'model')} is truncated")
    return struct.unpack("<" + fmt, data)


def _string(file: BinaryIO) -> str:
    (length,) = _unpack(file, "H")
    data = file.read(length)
    if len(data) != length:
        raise InvalidModel(f"{getattr(file, 'name', 'model')} is truncated")
    return data[:-1].decode("utf-8")


def _variable(file: BinaryIO) -> Variable:
    name = _string(file)
    (rank,) = _unpack(file, "B")
    shape = _unpack(file, "I" * rank)
    (dtype_id,) = _unpack(file, "B")
    (nbytes,) = _unpack(file, "I")
    if dtype_id not in DTYPES:
        raise InvalidModel(f"variable {name} has a data type ({dtype_id}) this reader lacks")
    variable = Variable(name, DTYPES[dtype_id], tuple(shape), file.tell(), nbytes)
    expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(variable.dtype).itemsize
    if expected != nbytes:
        raise InvalidModel(f"variable {name} holds {nbytes} bytes, its shape needs {expected}")
    file.seek(nbytes, 1)
    return variable


def read_index(model_bin: Path) -> dict[str, Variable]:
    """Every variable's name, type, shape and place in the file, checking the whole file."""
    size = model_bin.stat().st_size
    with model_bin.open("rb") as file:
        _unpack(file, "I")
        _string(file)
        _unpack(file, "I")
        (count,) = _unpack(file, "I")
        variables = [_variable(file) for _ in range(count)]
        if file.tell() > size:
            raise InvalidModel(f"{model_bin} is truncated")
        (aliases,) = _unpack(file, "I")
        for _ in range(2 * aliases):
            _string(file)
        if file.tell() != size:
            raise InvalidModel(f"{model_bin} has {size - file.tell()} unexpected trailing bytes")
    return {variable.name: variable for variable in variables}


def load_variables(model_bin: Path) -> dict[str, np.ndarray]:
    """The model's arrays, mapped from the file rather than read into memory."""
    index = read_index(model_bin)
    data = np.memmap(model_bin, dtype=np.uint8, mode="r")
    return {
        name: data[v.offset : v.offset + v.nbytes].view(v.dtype).reshape(v.shape)
        for name, v in index.items()
    }
