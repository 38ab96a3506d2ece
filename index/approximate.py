"""The approximate first pass of a large index's dense search: a FAISS HNSW graph over the
non-boilerplate rows' vectors, written into the generation as `content-hnsw.faiss`.

    gen-000007/content-hnsw.faiss   IndexIDMap over IndexHNSWFlat (inner product): each vector's
                                    id is its chunk row

A build writes it when the generation has at least MIN_ROWS non-boilerplate rows (about
25,000 letters: 10,000 have 42,386, 30,000 have 115,131, the seeds 118). Below that the exact
search costs no more: at 42,386 rows of the model's vectors the graph needed efSearch 512 for
recall@50 0.997, and then cost what the exact float16 pass costs (1.4-1.9 against 1.5 ms CPU);
the exact pass grows with the rows, the graph's search far less (docs/performance.md). The
manifest lists it under "approximate" with its size, checksum and rows, like the other files.
A search over every non-boilerplate row (no filter) asks it for CANDIDATES rows and scores
those exactly (IndexReader.content_dense); filtered searches stay exact. An index without the
file searches exactly, as before.

An add-only update adds its new rows (and any earlier row that stopped being boilerplate) to
the previous generation's graph; a row that became boilerplate stays in it, unused (a search
drops it), until such rows are over MAX_STALE of the graph. Then, and when the index first
reaches MIN_ROWS or a letter is removed, the graph is built again from every non-boilerplate
vector.
But: - approximate: a row of the exact top k can be missed (recall measured on real vectors
in docs/performance.md); nothing is pickled (FAISS's own file format).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.errors import IndexStoreError
from index.manifest import APPROXIMATE, Segment, checksum_bytes, file_problem, problem_error, rebuild_hint

FILE = APPROXIMATE
MIN_ROWS = 100_000  # non-boilerplate rows from which a build writes the graph
M = 32  # graph neighbours per row
EF_CONSTRUCTION = 300  # candidate list while building (80 left clusters of near-identical passages unreachable)
CANDIDATES = 200  # rows a search asks of the graph and scores exactly (at least twice its k)
EF_SEARCH = 512  # candidate list while searching (at least CANDIDATES): 256 missed 2% of the exact top 50
MAX_STALE = 0.1  # share of a graph's rows that may be boilerplate since it was built, before it is built again


def wanted(rows: int) -> bool:
    """Whether a generation with this many non-boilerplate rows gets a graph."""
    return rows >= MIN_ROWS


def build(vectors: np.ndarray, rows: np.ndarray):
    """A new graph over `vectors`, each under its chunk row in `rows`."""
    import faiss

    graph = faiss.IndexHNSWFlat(vectors.shape[1], M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = EF_CONSTRUCTION
    index = faiss.IndexIDMap(graph)
    add(index, vectors, rows)
    return index


def add(index, vectors: np.ndarray, rows: np.ndarray) -> None:
    """Add `vectors` to the graph under their chunk rows."""
    index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(rows, dtype=np.int64))


def rows_of(index) -> np.ndarray:
    """The chunk rows the graph holds, in the order they were added."""
    import faiss

    return faiss.vector_to_array(index.id_map)


def write(folder: Path, index) -> Segment:
    """Write the graph into a generation folder being built (never over an existing file)."""
    import faiss

    data = faiss.serialize_index(index).tobytes()
    with open(folder / FILE, "xb") as fh:
        fh.write(data)
    return Segment(FILE, len(data), checksum_bytes(data), int(index.ntotal))


def load(folder: Path, record: Segment, index_dir: Path, rows: np.ndarray | None = None):
    """The graph the manifest lists, verified against its size and checksum; `rows`: the
    non-boilerplate rows, each of which it must hold (IndexStoreError with the rebuild hint otherwise)."""
    import faiss

    path, hint = folder / record.file, rebuild_hint(index_dir)
    problem = file_problem(path, record)
    if problem:
        raise problem_error(path, problem, hint)
    try:
        index = faiss.read_index(str(path))
    except RuntimeError:  # FAISS's message is a C++ source line: not for users
        raise IndexStoreError(f"{path} is damaged or truncated (FAISS cannot read it); {hint}") from None
    if not isinstance(index, faiss.IndexIDMap) or not isinstance(faiss.downcast_index(index.index),
                                                                    faiss.IndexHNSWFlat):
        raise IndexStoreError(f"{path} is not a FAISS index this letters-qa reads ({type(index).__name__}); {hint}")
    if index.ntotal != record.rows:
        raise IndexStoreError(f"{path} is damaged (it holds {index.ntotal} rows, the manifest says {record.rows}); "
                              f"{hint}")
    if rows is not None and not np.isin(rows, rows_of(index)).all():
        raise IndexStoreError(f"{path} is damaged (it lacks passages of the index); {hint}")
    return index


def candidates(index, query: np.ndarray, k: int) -> np.ndarray | None:
    """The chunk rows the graph ranks best for `query`, enough for an exact top k nearly always:
    max(CANDIDATES, 2k) of them (rows that became boilerplate among them); None when that is
    every row or the graph returned fewer than asked (the caller then searches exactly)."""
    import faiss

    wanted = max(CANDIDATES, 2 * k)
    if wanted >= index.ntotal:
        return None
    params = faiss.SearchParametersHNSW()
    params.efSearch = max(EF_SEARCH, wanted)
    _, found = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), wanted, params=params)
    found = found[0]
    if found.min(initial=0) < 0:
        return None
    return found
