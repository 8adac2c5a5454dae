"""Search over the guidance library.

Three signals, combined per topic:
- lexical: BM25F over the topic's fields (title, aliases, scope, summary, worked examples, body),
  with field shorthand expanded, stemming, and typo correction against the index vocabulary;
- nearest example: TF-IDF cosine (words, word pairs, character n-grams) between the query and the
  closest of the topic's phrasings: title, aliases, and situations in workers' own words;
- meaning: cosine between the query and the mean of those phrasings in a static embedding space
  distilled from MiniLM (numpy only, no model at run time; optional).
Weights were chosen on held-out folds of the worked examples and checked on the dev queries
(bench/search_quality.py); the meaning signal is skipped when the embedding file is absent.
"Out of scope" is a class of its own, built from examples of what the bot is not for: when it
wins, or no topic has enough evidence, the answer is `confident: false` rather than a guess.
Crisis is decided separately by rules (bot.guidance.crisis).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.guidance.crisis import crisis_signals
from bot.guidance.knn import ExampleIndex
from bot.guidance.library import Library
from bot.guidance.schema import Topic
from bot.guidance.text import terms

# Aliases and titles are written to be searched; the rest is prose.
FIELD_WEIGHTS = {
    "title": 3.0,
    "aliases": 2.0,
    "scope": 2.0,
    "examples": 1.2,
    "summary": 0.8,
    "body": 0.25,
}
K1, B = 1.2, 0.5
MAX_QUERY_CHARS = 2000
OOS_ID = "_out-of-scope"
# Signal weights and decision thresholds (bench/search_quality.py measures their effect).
W_LEX, W_KNN, W_MEANING = 0.2, 0.5, 0.3
MIN_SCORE = 0.42
MIN_COVERAGE = 0.25
# The nearest out-of-scope example may beat the nearest topic example by at most this much.
OOS_MARGIN = 0.05
KNN_SECOND = 1.0


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: str
    results: list[Hit]
    confident: bool
    crisis: bool
    signals: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "results": [
                {"id": h.id, "title": h.title, "score": round(h.score, 4)} for h in self.results
            ],
            "confident": self.confident,
            "crisis": self.crisis,
        }


def topic_fields(topic: Topic, scope: str, examples: list[str]) -> dict[str, str]:
    body = " ".join(
        [s.title + " " + s.detail for s in topic.strategies]
        + [topic.reflection]
        + topic.escalate_when
    )
    return {
        "title": topic.title,
        "aliases": " . ".join(topic.aliases),
        "scope": scope,
        "examples": " . ".join(examples),
        "summary": topic.summary,
        "body": body,
    }


class Index:
    """BM25F over documents made of named fields; postings are per stemmed term."""

    def __init__(self, docs: list[tuple[str, dict[str, str]]]) -> None:
        self.ids = [doc_id for doc_id, _ in docs]
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        per_doc = [
            {f: Counter(terms(fields.get(f, ""))) for f in FIELD_WEIGHTS} for _, fields in docs
        ]
        lengths = {f: [sum(d[f].values()) for d in per_doc] for f in FIELD_WEIGHTS}
        avg = {f: (sum(v) / len(v) if v else 1.0) or 1.0 for f, v in lengths.items()}
        df: Counter[str] = Counter()
        for i, counted in enumerate(per_doc):
            weighted: dict[str, float] = defaultdict(float)
            for f, counts in counted.items():
                norm = 1 - B + B * lengths[f][i] / avg[f]
                for term, tf in counts.items():
                    weighted[term] += FIELD_WEIGHTS[f] * tf / norm
            for term, wtf in weighted.items():
                postings[term].append((i, wtf))
                df[term] += 1
        n = max(len(docs), 1)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.vocab = sorted(postings)
        # Saturated term weights as arrays: a query is then one bincount, however many docs.
        self.arrays = {
            t: (
                np.array([d for d, _ in plist], dtype=np.int32),
                np.array([w * (K1 + 1) / (w + K1) for _, w in plist]),
            )
            for t, plist in postings.items()
        }
        self.n = len(docs)
        self.unknown_idf = math.log(1 + (n - 0.5) / 1.5)

    @lru_cache(maxsize=32768)  # noqa: B019 - the index lives as long as the process
    def correct(self, term: str) -> str | None:
        """The indexed term a typo most likely meant (edit distance 1, or 2 for long words)."""
        if term in self.arrays:
            return term
        if len(term) < 4 or term.isdigit():
            return None
        limit = 1 if len(term) < 7 else 2
        match = process.extractOne(
            term, self.vocab, scorer=Levenshtein.distance, score_cutoff=limit
        )
        return match[0] if match else None

    def score(self, query_terms: list[str]) -> tuple[np.ndarray, float, np.ndarray]:
        """BM25F score per doc, the query's total idf, and the idf mass each doc matched."""
        total_idf = 0.0
        idx: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        cover: list[np.ndarray] = []
        for term, qtf in Counter(query_terms).items():
            known = self.correct(term)
            if known is None:
                total_idf += self.unknown_idf * 0.5
                continue
            idf = self.idf[known]
            total_idf += idf
            docs, sat = self.arrays[known]
            idx.append(docs)
            weights.append(sat * (idf * (1 + 0.2 * (qtf - 1))))
            cover.append(np.full(len(docs), idf))
        if not idx:
            return np.zeros(self.n), total_idf, np.zeros(self.n)
        all_idx = np.concatenate(idx)
        scores = np.bincount(all_idx, weights=np.concatenate(weights), minlength=self.n)
        covered = np.bincount(all_idx, weights=np.concatenate(cover), minlength=self.n)
        return scores, total_idf, covered


class Searcher:
    """Finds the topics that fit a situation, and says when none does or when it is a crisis."""

    def __init__(self, library: Library, embedder: Any | None = None) -> None:
        self.library = library
        topics = list(library.topics.values())
        self.titles = {t.id: t.title for t in topics}
        self.ids = [t.id for t in topics]
        docs = [
            (t.id, topic_fields(t, library.scope(t.id), library.examples.get(t.id, [])))
            for t in topics
        ]
        self.has_oos = bool(library.out_of_scope)
        if self.has_oos:
            docs.append((OOS_ID, {"examples": " . ".join(library.out_of_scope)}))
        self.index = Index(docs)
        self._build_examples(topics)
        self.embedder = embedder
        self._build_vectors(topics)

    def _groups(self, topics: list[Topic]) -> list[list[str]]:
        """The short texts that stand for each class (topics in order, then out-of-scope)."""
        groups = [
            [
                f"{t.title}. {self.library.scope(t.id)}",
                *t.aliases,
                *self.library.examples.get(t.id, []),
            ]
            for t in topics
        ]
        if self.has_oos:
            groups.append(list(self.library.out_of_scope))
        return groups

    def _build_examples(self, topics: list[Topic]) -> None:
        groups = self._groups(topics)
        docs = [(str(i), text) for i, group in enumerate(groups) for text in group]
        self.examples = ExampleIndex(docs)
        # Documents are laid out class by class, so per-class maxima are one reduceat.
        sizes = [len(group) for group in groups]
        self.example_starts = np.cumsum([0, *sizes[:-1]])
        self.n_classes = len(groups)

    def _knn(self, query: str) -> np.ndarray:
        """Per class, the similarity of its nearest example."""
        return np.maximum.reduceat(self.examples.similarities(query), self.example_starts)

    def _build_vectors(self, topics: list[Topic]) -> None:
        """One unit vector per class: the mean meaning of all its phrasings."""
        self.centroids: np.ndarray | None = None
        if self.embedder is None or not topics:
            return
        groups = self._groups(topics)
        vecs = self.embedder.encode([text for group in groups for text in group]).astype(np.float32)
        starts = np.cumsum([0, *[len(g) for g in groups][:-1]])
        centroids = np.add.reduceat(vecs, starts, axis=0)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        self.centroids = centroids / np.maximum(norms, 1e-9)

    def _meaning(self, query: str) -> np.ndarray | None:
        if self.centroids is None:
            return None
        qv = self.embedder.encode([query])[0].astype(np.float32)  # type: ignore[union-attr]
        if not np.any(qv):
            return None
        return self.centroids @ qv

    def search(self, text: str, top: int = 3) -> SearchResult:
        query = text.strip()[:MAX_QUERY_CHARS]
        signals = crisis_signals(query)
        q_terms = terms(query)
        if not q_terms or not self.ids:
            return SearchResult(text, [], confident=False, crisis=bool(signals), signals=signals)
        bm25, total_idf, covered = self.index.score(q_terms)
        best = float(bm25.max())
        lex = bm25 / best if best > 0 else bm25
        knn = self._knn(query)
        meaning = self._meaning(query)
        if meaning is None:
            combined = (W_LEX * lex + W_KNN * knn) / (W_LEX + W_KNN)
        else:
            combined = W_LEX * lex + W_KNN * knn + W_MEANING * meaning
        n_topics = len(self.ids)
        topic_scores = combined[:n_topics]
        order = np.argsort(-topic_scores, kind="stable")[:top]
        hits = [
            Hit(self.ids[i], self.titles[self.ids[i]], float(topic_scores[i]))
            for i in order
            if topic_scores[i] > 0
        ]
        confident = self._confident(combined, knn, covered, total_idf, order, meaning is not None)
        return SearchResult(
            text, hits, confident=bool(confident), crisis=bool(signals), signals=signals
        )

    def _confident(
        self,
        combined: np.ndarray,
        knn: np.ndarray,
        covered: np.ndarray,
        total_idf: float,
        order: np.ndarray,
        semantic: bool,
    ) -> bool:
        if len(order) == 0:
            return False
        first = int(order[0])
        if self.has_oos and (combined[-1] >= combined[first] or knn[-1] > knn[first] + OOS_MARGIN):
            return False  # reads more like the things this bot is not for
        coverage = covered[first] / total_idf if total_idf else 0.0
        if not semantic:
            return coverage >= MIN_COVERAGE
        return combined[first] >= MIN_SCORE and coverage >= MIN_COVERAGE * 0.5
