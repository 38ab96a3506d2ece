"""Vector segments: the FAISS files of a generation, one vector per chunk row, in row order.

    gen-000007/vectors.faiss      segment 0: exact IndexFlatIP, inner product on normalised vectors
    gen-000007/vectors-001.faiss  segment 1, 2, ...: the vectors of later add-only updates

A segment file is immutable once written: an add-only update hard-links the previous
generation's segments into the new folder and writes one small segment, so two generations
may share a file, and nothing may ever write into an existing one. Past MAX_SEGMENTS an
update writes every vector as one segment again (compaction).

`check` is cheap (size and FAISS header against the manifest) and runs whenever a generation
is opened; `load` verifies each file's checksum, then FAISS reads it (the second read comes
from the page cache; reading once into Python bytes would hold every vector twice).
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import numpy as np

from index.errors import IndexStoreError
from index.manifest import (
    Manifest,
    Segment,
    checksum_bytes,
    file_problem,
    problem_error,
    rebuild_hint,
    segment_name,
)

MAX_SEGMENTS = 16  # an add-only update that would make more writes all vectors as one segment


def write(folder: Path, position: int, vectors: np.ndarray) -> Segment:
    """Write a new segment file at `position` (never an existing file) and return its record."""
    import faiss

    name = segment_name(position)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    data = faiss.serialize_index(index).tobytes()
    with open(folder / name, "xb") as fh:
        fh.write(data)
    return Segment(name, len(data), checksum_bytes(data), len(vectors))


def check(folder: Path, listed: tuple[Segment, ...], dim: int, index_dir: Path) -> None:
    """Each listed segment exists, has its recorded size, and its header states the manifest's
    dimension (`dim`) and its recorded rows; IndexStoreError (with the rebuild hint) for the first that does not."""
    hint = rebuild_hint(index_dir)
    for segment in listed:
        path = folder / segment.file
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                header = fh.read(16)
        except FileNotFoundError:
            raise IndexStoreError(f"{path} is missing; {hint}") from None
        except OSError as exc:
            raise IndexStoreError(f"{path} cannot be read ({exc.strerror or exc}); {hint}") from None
        if size != segment.bytes:
            raise IndexStoreError(f"{path} is damaged or truncated ({size} bytes, expected {segment.bytes}); {hint}")
        if len(header) < 16:
            raise IndexStoreError(f"{path} is damaged or truncated (FAISS cannot read it); {hint}")
        # Every FAISS index file opens with a 4-byte type tag, the dimension and the row count.
        _tag, found_dim, rows = struct.unpack("<4siq", header)
        if found_dim != dim:
            raise IndexStoreError(f"{path} has dimension {found_dim}, the manifest {dim}; {hint}")
        if rows != segment.rows:
            raise IndexStoreError(f"{path} is damaged (it holds {rows} rows, the manifest says {segment.rows}); {hint}")


def verify(folder: Path, segment: Segment, index_dir: Path) -> None:
    """The file matches the manifest's size and checksum (size only for format 3)."""
    problem = file_problem(folder / segment.file, segment)
    if problem:
        raise problem_error(folder / segment.file, problem, rebuild_hint(index_dir))


def load(folder: Path, segments: tuple[Segment, ...], index_dir: Path) -> list:
    """Every segment as an exact FAISS index, in row order, each verified against its checksum."""
    import faiss

    hint = rebuild_hint(index_dir)
    indexes = []
    for segment in segments:
        path = folder / segment.file
        verify(folder, segment, index_dir)
        try:
            index = faiss.read_index(str(path))
        except RuntimeError:  # FAISS's own message is a C++ signature and source line: not for users
            raise IndexStoreError(f"{path} is damaged or truncated (FAISS cannot read it); {hint}") from None
        if not isinstance(index, faiss.IndexFlat):
            raise IndexStoreError(f"{path} is not a FAISS index this letters-qa reads ({type(index).__name__}); {hint}")
        if index.ntotal != segment.rows:
            raise IndexStoreError(f"{path} is damaged (it holds {index.ntotal} rows, the manifest says "
                                  f"{segment.rows}); {hint}")
        indexes.append(index)
    return indexes


def stored_vectors(index) -> np.ndarray:
    """A zero-copy (ntotal, d) view of the vectors a flat segment holds; valid while `index` lives."""
    import faiss

    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)


def all_vectors(manifest: Manifest, index_dir: Path) -> np.ndarray:
    """Every vector of the manifest's generation in row order (one array, a copy)."""
    folder = index_dir / manifest.folder
    check(folder, manifest.segments, manifest.dim, index_dir)
    indexes = load(folder, manifest.segments, index_dir)  # held while their views are concatenated
    parts = [stored_vectors(index) for index in indexes]
    return np.concatenate(parts) if parts else np.zeros((0, manifest.dim), np.float32)


def extend(target: Path, manifest: Manifest, index_dir: Path, vectors: np.ndarray) -> tuple[list[Segment], set[str]]:
    """The manifest's segments hard-linked into `target` (never rewritten: the old generation's
    readers share them) plus one new segment holding `vectors`; returns (segments, linked names).

    Past MAX_SEGMENTS every vector is written as one new segment instead (compaction).
    """
    segments = list(manifest.segments)
    if len(segments) + (len(vectors) > 0) > MAX_SEGMENTS:
        everything = all_vectors(manifest, index_dir)
        if len(vectors):
            everything = np.concatenate([everything, vectors])
        return [write(target, 0, everything)], set()
    source = index_dir / manifest.folder
    linked = set()
    for segment in segments:
        if link_or_copy(source / segment.file, target / segment.file):
            linked.add(segment.file)
    if len(vectors):
        segments.append(write(target, len(segments), vectors))
    return segments, linked


def link_or_copy(source: Path, target: Path) -> bool:
    """Hard-link `source` as `target` (True); copy it where the filesystem cannot link (False)."""
    try:
        os.link(source, target)
        return True
    except OSError:
        shutil.copyfile(source, target)
        return False
