"""Nearest worked examples: TF-IDF over stemmed words, word pairs and character n-grams.

Each short text that stands for a topic (its title, scope, aliases and the examples workers' own
phrasings) is a document. A query is compared with all of them by cosine; character n-grams make
typos and run-together words still match ("boundries", "nite", "cowoker"). Pure numpy: postings
are arrays, scoring is one bincount.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

from bot.guidance.text import strip_slack_markup, terms

CHAR_WEIGHT = 0.6  # char n-grams back up words rather than lead
_LETTERS = re.compile(r"[^a-z0-9$ ]+")


def features(text: str) -> Counter[str]:
    words = terms(text)
    feats: Counter[str] = Counter(f"w:{w}" for w in words)
    feats.update(f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False))
    clean = " ".join(_LETTERS.sub(" ", strip_slack_markup(text).lower()).split())
    for word in clean.split():
        padded = f" {word} "
        for n in (3, 4, 5):
            feats.update(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return feats


class ExampleIndex:
    def __init__(self, docs: list[tuple[str, str]]) -> None:
        """docs: (label, text) pairs; several docs share a label (a topic id)."""
        self.labels = [label for label, _ in docs]
        counted = [features(text) for _, text in docs]
        df: Counter[str] = Counter()
        for feats in counted:
            df.update(feats.keys())
        self.n = len(docs)
        n = max(self.n, 1)
        self.idf = {f: math.log((n + 1) / (d + 1)) + 1.0 for f, d in df.items()}
        # A feature the index has never seen (only queries have them) gets the rarest idf.
        self.unseen_idf = math.log(n + 1) + 1.0
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for i, feats in enumerate(counted):
            vec = self._weights(feats)
            for f, w in vec.items():
                postings[f][0].append(i)
                postings[f][1].append(w)
        self.postings = {
            f: (np.array(ix, dtype=np.int32), np.array(ws, dtype=np.float32))
            for f, (ix, ws) in postings.items()
        }

    def _weights(self, feats: Counter[str]) -> dict[str, float]:
        # Unseen features still count in the norm: a query made mostly of words no topic uses
        # should score low everywhere.
        vec = {}
        for f, tf in feats.items():
            idf = self.idf.get(f, self.unseen_idf)
            scale = CHAR_WEIGHT if f.startswith("c:") else 1.0
            vec[f] = scale * (1.0 + math.log(tf)) * idf
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {f: w / norm for f, w in vec.items()}

    def similarities(self, text: str) -> np.ndarray:
        """Cosine of the query with every document."""
        vec = self._weights(features(text))
        if not vec or not self.n:
            return np.zeros(self.n, dtype=np.float32)
        known = [(self.postings[f], w) for f, w in vec.items() if f in self.postings]
        if not known:
            return np.zeros(self.n, dtype=np.float32)
        idx = [p[0] for p, _ in known]
        wts = [p[1] * w for p, w in known]
        return np.bincount(np.concatenate(idx), weights=np.concatenate(wts), minlength=self.n)
