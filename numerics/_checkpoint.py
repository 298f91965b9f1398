"""Checkpoints of chunked ensembles: finished chunks survive an interrupted run.

A checkpoint is a directory

    header.json            what the run is: SHA-256 of its inputs (expression,
                           options, kernel source), N, chunk size, first index
    chunk-000000.npz       one file per finished chunk: its per-trajectory arrays
    chunk-000003.npz       and its scalar fields (as JSON inside the .npz)
    ...

Every file is written to a temporary name in the same directory, flushed to
disk and renamed into place (``os.replace`` is atomic on POSIX), so a run
killed at any instant (Ctrl-C, SIGTERM, SIGKILL, power loss after the fsync)
leaves either the whole chunk file or none of it.  A resumed run reads the
chunks that are there and computes only the others; because every trajectory
depends on (seed, index, step) alone, the merged sample is the one an
uninterrupted run gives, bit for bit.

A checkpoint written by a run with different inputs (another potential, seed,
dt, kernel version, N or chunk size) is refused, never mixed in.  While a run
uses a checkpoint it holds an advisory lock on it (``flock``, released by the
kernel when the process dies), so two runs cannot write one checkpoint.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from theory._errors import InvalidParameter

from ._ensemble import Chunk, input_fingerprint
from ._output import json_dumps, write_atomically

__all__ = ["Checkpoint", "CheckpointError"]

FORMAT = "kramers-ensemble-checkpoint"
VERSION = 1
_HEADER = "header.json"
_LOCK = ".lock"


class CheckpointError(InvalidParameter):
    """A checkpoint cannot be used for this run.

    Likely causes: it was written by a run with other inputs (potential, seed, dt,
    trajectories, chunk size, kernel version), its directory does not exist, the
    path is not a checkpoint, or another run is using it right now.
    """


def _encode_scalar(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, tuple):
        return {"tuple": [_encode_scalar(item) for item in value]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise CheckpointError(f"cannot store a sample field of type {type(value).__name__} in a checkpoint.")


def _decode_scalar(value):
    if isinstance(value, dict):
        return tuple(_decode_scalar(item) for item in value["tuple"])
    return value


def _sample_type(name: str):
    module_name, _, qualified = name.rpartition(".")
    if not (module_name == "numerics" or module_name.startswith("numerics.")):
        raise CheckpointError(f"checkpoint names the sample type {name!r}, which is not a numerics class.")
    sample_type = getattr(importlib.import_module(module_name), qualified, None)
    if not (isinstance(sample_type, type) and dataclasses.is_dataclass(sample_type)):
        raise CheckpointError(f"checkpoint names the sample type {name!r}, which does not exist.")
    return sample_type


class Checkpoint:
    """A checkpoint directory; see the module docstring.  Use :meth:`open` before anything else."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock_handle = None
        self.fingerprint: str | None = None

    # -- opening --------------------------------------------------------------------

    def open(self, inputs: Mapping[str, Any], *, trajectories: int, chunk_size: int, first_trajectory: int = 0):
        """Create the checkpoint, or check that an existing one belongs to this run."""
        header = {
            "format": FORMAT,
            "version": VERSION,
            "fingerprint": input_fingerprint(inputs),
            "trajectories": int(trajectories),
            "chunk_size": int(chunk_size),
            "first_trajectory": int(first_trajectory),
            "inputs": dict(inputs),
        }
        path = self.path
        if not path.parent.is_dir():
            raise CheckpointError(f"checkpoint {path}: directory {path.parent} does not exist.")
        if path.exists() and not path.is_dir():
            raise CheckpointError(f"checkpoint {path} is a file, not a checkpoint directory.")
        try:
            path.mkdir(exist_ok=True)
        except OSError as error:
            raise CheckpointError(f"checkpoint {path}: cannot create the directory ({error.strerror}).") from error
        self._lock()
        header_path = path / _HEADER
        if header_path.exists():
            self._check_header(header_path, header)
        else:
            if any(child.name not in (_LOCK,) and not child.name.startswith(".tmp-") for child in path.iterdir()):
                raise CheckpointError(f"checkpoint {path} is a non-empty directory without {_HEADER}: not a checkpoint.")
            write_atomically(header_path, json_dumps(header, indent=1, sort_keys=True) + "\n")
        for leftover in path.glob(".tmp-*"):  # from a run killed while writing; we hold the lock
            with contextlib.suppress(OSError):
                leftover.unlink()
        self.fingerprint = header["fingerprint"]
        return self

    def _lock(self) -> None:
        import fcntl

        handle = open(self.path / _LOCK, "a")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise CheckpointError(f"checkpoint {self.path} is in use by another run.") from error
        except OSError:  # a file system without locks: go on unlocked
            pass
        self._lock_handle = handle

    def close(self) -> None:
        """Release the lock (the files stay: delete the directory once the result is safe)."""
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _check_header(self, header_path: Path, expected: dict) -> None:
        try:
            found = json.loads(header_path.read_text())
        except (OSError, ValueError) as error:
            raise CheckpointError(f"checkpoint {self.path}: unreadable {_HEADER} ({error}).") from error
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            raise CheckpointError(f"checkpoint {self.path} is not a kramers ensemble checkpoint.")
        if found.get("version") != VERSION:
            raise CheckpointError(
                f"checkpoint {self.path} has format version {found.get('version')}, this kramers reads {VERSION}."
            )
        if found.get("fingerprint") != expected["fingerprint"]:
            old, new = found.get("inputs", {}), expected["inputs"]
            differing = sorted(
                key for key in set(old) | set(new) if old.get(key) != new.get(key)
            ) if isinstance(old, dict) else ["inputs"]
            options = old.get("options", {}) if isinstance(old, dict) else {}
            if differing == ["options"] and isinstance(options, dict):
                differing = [f"options.{key}" for key in sorted(set(options) | set(new["options"]))
                             if options.get(key) != new["options"].get(key)]
            raise CheckpointError(
                f"checkpoint {self.path} belongs to a run with other inputs (differing: {', '.join(differing)}); "
                "use a new checkpoint path or the original inputs."
            )
        for key in ("trajectories", "chunk_size", "first_trajectory"):
            if found.get(key) != expected[key]:
                raise CheckpointError(
                    f"checkpoint {self.path} was written with {key} = {found.get(key)}, this run has "
                    f"{expected[key]}; rerun with `{key}` {found.get(key)} or use a new checkpoint path."
                )

    # -- chunks ---------------------------------------------------------------------------

    def _chunk_path(self, chunk: Chunk) -> Path:
        return self.path / f"chunk-{chunk.index:06d}.npz"

    def save(self, chunk: Chunk, sample) -> None:
        """Store one finished chunk atomically."""
        arrays = {}
        scalars = {}
        for field in dataclasses.fields(sample):
            value = getattr(sample, field.name)
            if isinstance(value, np.ndarray):
                arrays[f"array_{field.name}"] = value
            else:
                scalars[field.name] = _encode_scalar(value)
        record = {
            "fingerprint": self.fingerprint,
            "chunk": dataclasses.asdict(chunk),
            "type": f"{type(sample).__module__}.{type(sample).__qualname__}",
            "fields": scalars,
        }
        buffer = io.BytesIO()
        np.savez(buffer, record=np.array(json_dumps(record, allow_nan=True)), **arrays)
        write_atomically(self._chunk_path(chunk), buffer.getvalue())

    def load(self, plan: Sequence[Chunk]) -> dict[int, Any]:
        """The finished chunks of ``plan`` found on disk, by chunk index."""
        found = {}
        for chunk in plan:
            path = self._chunk_path(chunk)
            if not path.exists():
                continue
            try:
                with np.load(path, allow_pickle=False) as data:
                    record = json.loads(str(data["record"]))
                    arrays = {name[len("array_"):]: data[name] for name in data.files if name.startswith("array_")}
            except (OSError, ValueError, KeyError) as error:
                warnings.warn(f"checkpoint chunk {path.name} is unreadable ({error}); it is computed again")
                continue
            if record.get("fingerprint") != self.fingerprint or record.get("chunk") != dataclasses.asdict(chunk):
                raise CheckpointError(f"checkpoint {self.path}: {path.name} belongs to another run or chunk.")
            fields = {name: _decode_scalar(value) for name, value in record["fields"].items()}
            for name, array in arrays.items():
                array.setflags(write=False)
                fields[name] = array
            try:
                found[chunk.index] = _sample_type(record["type"])(**fields)
            except TypeError as error:
                raise CheckpointError(f"checkpoint {self.path}: {path.name} does not match its sample type.") from error
        return found
