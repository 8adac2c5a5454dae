"""Search over the guidance library: weighted BM25 over topic fields, typo tolerance, optional
static embeddings, crisis detection and a confidence decision.

Everything is built in memory at start-up from the loaded library; a query touches only the
postings of its own terms, so cost grows with the query, not with the library.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.guidance.crisis import crisis_signals
from bot.guidance.library import Library
from bot.guidance.schema import Topic
from bot.guidance.text import terms

# How much each field counts. Aliases and titles are written to be searched; the rest is prose.
FIELD_WEIGHTS = {"title": 3.0, "aliases": 2.5, "scope": 2.0, "summary": 1.0, "body": 0.35}
K1, B = 1.2, 0.6
MAX_QUERY_CHARS = 2000


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


def topic_fields(topic: Topic, scope: str) -> dict[str, str]:
    body = " ".join(
        [s.title + " " + s.detail for s in topic.strategies]
        + [topic.reflection]
        + topic.escalate_when
    )
    return {
        "title": topic.title,
        "aliases": " . ".join(topic.aliases),
        "scope": scope,
        "summary": topic.summary,
        "body": body,
    }


class Index:
    """A BM25F index over documents made of named fields."""

    def __init__(self, docs: list[tuple[str, dict[str, str]]]) -> None:
        self.ids = [doc_id for doc_id, _ in docs]
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        lengths: dict[str, list[int]] = {f: [] for f in FIELD_WEIGHTS}
        per_doc: list[dict[str, Counter[str]]] = []
        for _, fields in docs:
            counted = {f: Counter(terms(fields.get(f, ""))) for f in FIELD_WEIGHTS}
            per_doc.append(counted)
            for f in FIELD_WEIGHTS:
                lengths[f].append(sum(counted[f].values()))
        avg = {f: (sum(v) / len(v) if v else 1.0) or 1.0 for f, v in lengths.items()}
        df: Counter[str] = Counter()
        for i, counted in enumerate(per_doc):
            weighted: dict[str, float] = defaultdict(float)
            for f, counts in counted.items():
                norm = 1 - B + B * lengths[f][i] / avg[f]
                for term, tf in counts.items():
                    weighted[term] += FIELD_WEIGHTS[f] * tf / norm
            for term, wtf in weighted.items():
                self.postings[term].append((i, wtf))
                df[term] += 1
        n = len(docs)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.vocab = list(self.postings)
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n else 1.0

    @lru_cache(maxsize=16384)  # noqa: B019 - one index per process; the cache is the point
    def correct(self, term: str) -> str | None:
        """A known term within a small edit distance of an unknown one (typos)."""
        if term in self.postings or len(term) < 4 or term.isdigit():
            return term if term in self.postings else None
        limit = 1 if len(term) < 7 else 2
        match = process.extractOne(
            term, self.vocab, scorer=Levenshtein.distance, score_cutoff=limit
        )
        return match[0] if match else None

    def score(self, query_terms: list[str]) -> tuple[list[float], float, list[float]]:
        """BM25F scores per doc, the query's total idf, and the idf each doc covered."""
        scores = [0.0] * len(self.ids)
        covered = [0.0] * len(self.ids)
        total_idf = 0.0
        for term, qtf in Counter(query_terms).items():
            known = self.correct(term)
            if known is None:
                total_idf += self.max_idf * 0.5
                continue
            idf = self.idf[known]
            total_idf += idf
            for doc, wtf in self.postings[known]:
                scores[doc] += idf * wtf * (K1 + 1) / (wtf + K1) * (1 + 0.2 * (qtf - 1))
                covered[doc] += idf
        return scores, total_idf, covered


class Searcher:
    """Finds the topics that fit a situation, and says when none does or when it is a crisis."""

    def __init__(self, library: Library, embedder: object | None = None) -> None:
        self.library = library
        topics = list(library.topics.values())
        self.titles = {t.id: t.title for t in topics}
        self.index = Index([(t.id, topic_fields(t, library.scope(t.id))) for t in topics])
        self.embedder = embedder
        self.topic_vectors = None
        if embedder is not None and topics:
            texts = [
                f"{t.title}. {library.scope(t.id)} " + ". ".join(t.aliases[:20]) for t in topics
            ]
            self.topic_vectors = embedder.encode(texts)  # type: ignore[attr-defined]

    def search(self, text: str, top: int = 3) -> SearchResult:
        query = text.strip()[:MAX_QUERY_CHARS]
        signals = crisis_signals(query)
        q_terms = terms(query)
        if not q_terms:
            return SearchResult(
                query=text, results=[], confident=False, crisis=bool(signals), signals=signals
            )
        bm25, total_idf, covered = self.index.score(q_terms)
        best = max(bm25) or 1.0
        combined = [s / best for s in bm25]
        if self.topic_vectors is not None:
            qv = self.embedder.encode([query])[0]  # type: ignore[union-attr]
            sims = self.topic_vectors @ qv
            combined = [0.6 * c + 0.4 * float(s) for c, s in zip(combined, sims, strict=True)]
        order = sorted(range(len(combined)), key=combined.__getitem__, reverse=True)
        hits = [
            Hit(self.index.ids[i], self.titles[self.index.ids[i]], combined[i])
            for i in order[:top]
            if bm25[i] > 0 or self.topic_vectors is not None
        ]
        coverage = covered[order[0]] / total_idf if total_idf else 0.0
        confident = bool(hits) and coverage >= 0.3
        return SearchResult(
            query=text,
            results=hits,
            confident=confident or bool(signals),
            crisis=bool(signals),
            signals=signals,
        )
