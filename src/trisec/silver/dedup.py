"""Duplicates in a crawl: exact on the normalised body hash, near with MinHash LSH.

The crawl stores the same page twice with different boilerplate (exact duplicates once cleaned:
trisec.documents.clean.body_hash ignores case and whitespace), and updated copies of a story
that differ by
a sentence (near duplicates). A datasketch MinHash signature is computed per document in the
parallel ingest stage (`signature`, pure); the decisions are made in one place, in file-name
order, so the first copy wins exactly as in the gold build (`decide`, pure).

LSH banding (BANDS x ROWS of the signature) finds the candidate pairs; each candidate is
confirmed with the signature's Jaccard estimate. The bands live in numpy arrays rather than
datasketch's MinHashLSH: its dict-of-sets index was measured at 5.5 KB per document (55 MiB
per 10,000 documents, growing with the crawl); `BandIndex` keeps numeric arrays only.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

NUM_PERM = 128  # 128 x 4-byte minima per document
SHINGLE_WORDS = 5
THRESHOLD = 0.8  # estimated Jaccard of word 5-gram sets at or above which a copy is "near"
SCHEME = "affine32"  # datasketch 2.x permutation scheme (stated, so signatures can be reloaded)
# 16 bands of 8 minima: what datasketch's MinHashLSH chooses for threshold 0.8, 128
# permutations and weights (0.05, 0.95) favouring recall. A pair becomes a candidate with
# probability 1-(1-s^8)^16: 0.06 at s=0.5, 0.61 at 0.7, 0.95 at 0.8, 0.99 at 0.85 (the
# default weights would miss ~60% of pairs at the threshold). False candidates cost one
# comparison; a missed pair costs a duplicate in the corpus.
BANDS, ROWS = 16, 8


@cache
def _permutations(num_perm: int) -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """Word k-grams of the text as body_hash sees it (case and whitespace do not count)."""
    words = text.casefold().split()
    if len(words) <= k:
        return {" ".join(words).encode()}
    return {" ".join(words[i:i + k]).encode() for i in range(len(words) - k + 1)}


def signature(text: str, num_perm: int = NUM_PERM) -> bytes:
    """MinHash signature of the text's shingles, as little-endian uint32 bytes."""
    from datasketch import MinHash

    # crc32 instead of datasketch's default sha1: 3-4x faster, deterministic, and a 32-bit
    # hash is all affine32 needs (shingles are not adversarial)
    m = MinHash(num_perm=num_perm, permutations=_permutations(num_perm), scheme=SCHEME,
                hashfunc=zlib.crc32)
    m.update_batch(shingles(text))
    return m.hashvalues.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal minima)."""
    x, y = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    return float(np.count_nonzero(x == y)) / len(x)


@dataclass(frozen=True)
class Decision:
    source_file: str
    kind: str  # unique | exact | near
    duplicate_of: str | None = None  # source_file of the earlier copy
    similarity: float = 1.0


def signatures(sigs: list[bytes], num_perm: int = NUM_PERM) -> np.ndarray:
    """Signatures as one (n, num_perm) uint32 array."""
    return np.frombuffer(b"".join(sigs), dtype="<u4").reshape(len(sigs), num_perm)


def band_keys(sigs: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> np.ndarray:
    """(n, bands) uint64: each band's rows folded into one key (a different band content
    giving the same key only adds a candidate, which the estimate then rejects)."""
    mult = np.random.default_rng(0).integers(1, 2**63, size=rows, dtype=np.uint64) | 1
    keys = np.empty((len(sigs), bands), dtype=np.uint64)
    for b in range(bands):  # one band at a time: no (n, bands, rows) uint64 temporary
        part = sigs[:, b * rows:(b + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):  # wrap-around multiplication is the hash
            keys[:, b] = (part * mult).sum(axis=1, dtype=np.uint64)
    return keys


def body_keys(body_sha256: list[str]) -> np.ndarray:
    """(n, 2) uint64: the first 128 bits of each body hash (16 bytes instead of a 64-char
    string per document)."""
    return np.frombuffer(b"".join(bytes.fromhex(h)[:16] for h in body_sha256),
                         dtype="<u8").reshape(len(body_sha256), 2)


class BandIndex:
    """Per band, the first copies sorted by band key, and for every document where its own
    key's run starts and how long it is: the candidates of a document are looked up when its
    turn comes, so no set of candidates is ever stored (documents that share paragraphs can
    have hundreds of them). Numeric arrays only: 12 bytes per document per band."""

    def __init__(self, sigs: np.ndarray, members: np.ndarray) -> None:
        keys = band_keys(sigs)
        n, bands = keys.shape
        self.orders = np.empty((bands, len(members)), dtype=np.int32)
        self.starts = np.empty((n, bands), dtype=np.int32)
        self.sizes = np.empty((n, bands), dtype=np.int32)
        for b in range(bands):
            order = members[np.argsort(keys[members, b], kind="stable")]
            sorted_keys = keys[order, b]
            self.orders[b] = order
            self.starts[:, b] = np.searchsorted(sorted_keys, keys[:, b], side="left")
            self.sizes[:, b] = np.searchsorted(sorted_keys, keys[:, b], side="right") \
                - self.starts[:, b]

    def candidates(self, j: int) -> np.ndarray:
        """First copies sharing at least one band with document j (j itself included)."""
        shared = np.flatnonzero(self.sizes[j] > 1)
        if not len(shared):
            return np.empty(0, dtype=np.int32)
        return np.unique(np.concatenate([
            self.orders[b, self.starts[j, b]:self.starts[j, b] + self.sizes[j, b]]
            for b in shared]))


def decide(names: list[str], keys: np.ndarray, sigs: np.ndarray,
           threshold: float = THRESHOLD) -> Iterator[Decision]:
    """Pure: one Decision per document (lazily), given in file-name order with its body key
    (`body_keys`) and signature. Exact copies (same body hash) point to the first copy; a near
    copy to the most similar earlier kept document whose estimated Jaccard reaches
    `threshold` (ties: the earlier file)."""
    n = len(names)
    if not n:
        return
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    first_of = first[inverse.reshape(-1)]
    index = BandIndex(sigs, np.flatnonzero(first_of == np.arange(n)))
    kept = np.zeros(n, dtype=bool)
    for j in range(n):
        if first_of[j] != j:
            yield Decision(names[j], "exact", names[first_of[j]])
            continue
        earlier = index.candidates(j)
        earlier = earlier[(earlier < j) & kept[earlier]]  # sorted: file-name order
        if len(earlier):
            sims = np.count_nonzero(sigs[earlier] == sigs[j], axis=1) / sigs.shape[1]
            best = int(np.argmax(sims))  # first maximum = earliest file among the best
            if sims[best] >= threshold:
                yield Decision(names[j], "near", names[int(earlier[best])], float(sims[best]))
                continue
        kept[j] = True
        yield Decision(names[j], "unique")
