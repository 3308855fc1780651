"""Duplicates in a crawl: exact on the normalised body hash, near with MinHash LSH.

The crawl stores the same page twice with different boilerplate (exact duplicates once cleaned:
trisec.clean.body_hash ignores case and whitespace), and updated copies of a story that differ by
a sentence (near duplicates). A signature is computed per document in the parallel ingest stage
(`signature`, pure); the decisions are made in one place, in file-name order, so the first copy
wins exactly as in the gold build (`Deduplicator`). Its state is the body hashes and the
signatures of kept documents (~600 bytes each), never the texts.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

NUM_PERM = 128  # 128 x 4-byte minima per document
# LSH bands favour recall (datasketch's default 0.5/0.5 weights miss ~60% of pairs at exactly
# the threshold); candidates are confirmed with the signature estimate, so a false candidate
# costs one comparison, a missed one a duplicate in the corpus
LSH_WEIGHTS = (0.05, 0.95)
SHINGLE_WORDS = 5
THRESHOLD = 0.8  # estimated Jaccard of word 5-gram sets at or above which a copy is "near"
SCHEME = "affine32"  # datasketch 2.x permutation scheme (stated, so signatures can be reloaded)


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
    duplicate_of: str | None = None  # source_file of the copy that was kept
    similarity: float = 1.0


class Deduplicator:
    """Feed documents in file-name order; each gets a Decision. The first copy is kept."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        from datasketch import MinHashLSH

        self.threshold, self.num_perm = threshold, num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
        self.first_by_hash: dict[str, str] = {}
        self.kept: dict[str, bytes] = {}  # source_file -> signature

    def _minhash(self, sig: bytes) -> Any:
        from datasketch import MinHash

        return MinHash(hashvalues=np.frombuffer(sig, dtype="<u4"),
                       permutations=_permutations(self.num_perm), scheme=SCHEME)

    def add(self, source_file: str, body_sha256: str, sig: bytes) -> Decision:
        first = self.first_by_hash.get(body_sha256)
        if first is not None:
            return Decision(source_file, "exact", first)
        self.first_by_hash[body_sha256] = source_file
        mh = self._minhash(sig)
        # LSH gives candidates; the signature estimate confirms them. Most similar wins, then
        # the earliest file name.
        matches = [(sim, key) for key in self.lsh.query(mh)
                   if (sim := similarity(sig, self.kept[key])) >= self.threshold]
        if matches:
            sim, key = min(matches, key=lambda m: (-m[0], m[1]))
            return Decision(source_file, "near", key, sim)
        self.lsh.insert(source_file, mh)
        self.kept[source_file] = sig
        return Decision(source_file, "unique")
