"""Search latency per query: on the real library, and on 5,000 synthetic topics.

    .venv/bin/python bench/search.py

Synthetic topics recombine the real topics' words, so the vocabulary and posting lists grow
the way a large library's would.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.guidance.library import Library, load_library  # noqa: E402
from bot.guidance.search import Searcher  # noqa: E402
from bot.runtime import load_embedder  # noqa: E402


def synthetic(library: Library, n: int, seed: int = 1) -> Library:
    rng = random.Random(seed)
    base = list(library.topics.values())
    words = " ".join(t.summary + " " + " ".join(t.aliases) for t in base).split()
    topics = {}
    for i in range(n):
        src = base[i % len(base)]
        tid = f"{src.id}-s{i}"
        title = " ".join(rng.sample(words, 8))[:140]
        aliases = [" ".join(rng.sample(words, 4))[:60] for _ in range(12)]
        topics[tid] = src.model_copy(
            update={"id": tid, "title": title, "aliases": aliases, "related": []}
        )
    return Library(
        topics=topics, categories=library.categories, catalogue={}, tips=[], org=library.org
    )


def time_queries(searcher: Searcher, queries: list[str], rounds: int) -> list[float]:
    for q in queries:  # warm caches (typo corrections) the way a running bot would be
        searcher.search(q)
    out = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            searcher.search(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    print(
        f"{name:34} n={len(ms):5d}  mean={statistics.mean(ms):6.3f} ms  p50={p(0.5):6.3f}  p99={p(0.99):6.3f}  max={ms[-1]:6.3f}"
    )


def main() -> None:
    qfile = ROOT.parent / "shared" / "guidance" / "dev-queries.jsonl"
    if qfile.exists():
        queries = [
            json.loads(line)["query"] for line in qfile.read_text().splitlines() if line.strip()
        ]
    else:
        queries = [
            "client offered me cash",
            "my supervisor keeps asking me out",
            "pt wants my cell",
        ]
    library = load_library()
    embedder = load_embedder()
    print(f"embeddings: {'on' if embedder else 'off'}; {len(queries)} queries")
    t0 = time.perf_counter()
    real = Searcher(library, embedder)
    print(f"index build, {len(library.topics)} topics: {(time.perf_counter() - t0) * 1000:.1f} ms")
    report(f"{len(library.topics)} topics", time_queries(real, queries, 5))
    big = synthetic(library, 5000)
    t0 = time.perf_counter()
    big_searcher = Searcher(big, embedder)
    print(f"index build, 5000 topics: {(time.perf_counter() - t0) * 1000:.1f} ms")
    report("5000 synthetic topics", time_queries(big_searcher, queries, 2))


if __name__ == "__main__":
    main()
