"""Static word embeddings for offline semantic search.

The model is a model2vec-style distillation of sentence-transformers/all-MiniLM-L6-v2 (see
tools/distill_embeddings.py): one vector per token, a sentence is the mean of its token vectors.
Runtime needs only numpy and the `tokenizers` package: no torch, no network.

Data file (.npz): ``embeddings`` int8 (V, D) with per-row ``scales`` float32 (V,), or float16
embeddings without scales; ``tokenizer`` is the tokenizer.json text as uint8; ``meta`` is JSON.
"""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "static-minilm.npz"
MAX_TOKENS = 512  # as model2vec: longer texts are truncated
_CHUNK = 2048  # texts per gather, bounds temporary memory


class StaticEmbedder:
    """Encodes texts as L2-normalised means of static token vectors."""

    def __init__(
        self,
        embeddings: np.ndarray,
        tokenizer: Tokenizer,
        meta: dict[str, object] | None = None,
    ) -> None:
        self.embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        self.dim = int(self.embeddings.shape[1])
        self.meta = meta or {}
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer = tokenizer
        # model2vec drops unknown tokens rather than embedding them.
        unk = getattr(tokenizer.model, "unk_token", None)
        self.unk_id: int | None = tokenizer.token_to_id(unk) if unk else None
        self._batch = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)

    @classmethod
    def load(cls, path: Path | None = None) -> StaticEmbedder:
        with np.load(path or DEFAULT_PATH, allow_pickle=False) as data:
            emb = data["embeddings"]
            if "scales" in data:
                emb = emb.astype(np.float32) * data["scales"].astype(np.float32)[:, None]
            tok_json = data["tokenizer"].tobytes().decode("utf-8")
            meta = json.loads(data["meta"].tobytes()) if "meta" in data else {}
        return cls(emb, Tokenizer.from_str(tok_json), meta)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return one unit-length float32 row per text (zero row when no known token)."""
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 1:  # fast path for single queries
            ids = self.tokenizer.encode(texts[0], add_special_tokens=False).ids
            if self.unk_id is not None:
                ids = [i for i in ids if i != self.unk_id]
            if ids:
                out[0] = self.embeddings[ids].sum(axis=0)
        else:
            for start in range(0, n, _CHUNK):
                chunk = list(texts[start : start + _CHUNK])
                out[start : start + len(chunk)] = self._sum_chunk(chunk)
        # Mean and sum point the same way, so normalising the sum gives the normalised mean.
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _sum_chunk(self, texts: list[str]) -> np.ndarray:
        ids = [e.ids for e in self._batch(texts, add_special_tokens=False)]
        lengths = np.fromiter(map(len, ids), dtype=np.intp, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.intp, count=int(lengths.sum()))
        if self.unk_id is not None:
            keep = flat != self.unk_id
            if not keep.all():
                rows = np.repeat(np.arange(len(ids)), lengths)
                lengths = np.bincount(rows[keep], minlength=len(ids))
                flat = flat[keep]
        sums = np.zeros((len(ids), self.dim), dtype=np.float32)
        nonempty = lengths > 0
        if flat.size:
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
            sums[nonempty] = np.add.reduceat(self.embeddings[flat], starts, axis=0)
        return sums
