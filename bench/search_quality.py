"""Search quality on a labelled query set, beside a plain BM25 baseline over the same content.

    .venv/bin/python bench/search_quality.py [--queries ../shared/guidance/dev-queries.jsonl]

Prints top-1 / top-3 on in-scope queries, out-of-scope rejection, crisis recall and false-alarm
rate for peerconsult's search and for bm25s (title, scope, summary, aliases; no confidence, so its
rejection is 0 unless a query matches nothing), then lists every miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.guidance.library import load_library  # noqa: E402
from bot.guidance.search import Searcher  # noqa: E402
from bot.runtime import load_embedder  # noqa: E402


def metrics(rows: list[dict], outs: list[dict]) -> dict[str, float]:  # type: ignore[type-arg]
    ins = [(r, o) for r, o in zip(rows, outs, strict=True) if r["expected"] and not r["crisis"]]
    oos = [(r, o) for r, o in zip(rows, outs, strict=True) if not r["expected"]]
    cr = [(r, o) for r, o in zip(rows, outs, strict=True) if r["crisis"]]
    non_crisis = [(r, o) for r, o in zip(rows, outs, strict=True) if not r["crisis"]]

    def share(items, pred) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for r, o in items if pred(r, o)) / max(len(items), 1)

    return {
        "top1": share(
            ins, lambda r, o: bool(o["results"]) and o["results"][0]["id"] in r["expected"]
        ),
        "top3": share(ins, lambda r, o: any(h["id"] in r["expected"] for h in o["results"][:3])),
        "oos_rejected": share(oos, lambda r, o: not o["confident"]),
        "crisis_recall": share(cr, lambda r, o: o["crisis"]),
        "crisis_false_alarms": share(non_crisis, lambda r, o: o["crisis"]),
        "n_in_scope": len(ins),
        "n_oos": len(oos),
        "n_crisis": len(cr),
    }


def bm25_baseline(library, queries: list[str]) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    ids = list(library.topics)
    corpus = [
        " ".join([t.title, library.scope(t.id), t.summary, " ".join(t.aliases)])
        for t in library.topics.values()
    ]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    outs = []
    for q in queries:
        toks = bm25s.tokenize([q], stopwords="en", stemmer=stemmer, show_progress=False)
        if not toks.vocab:
            outs.append({"results": [], "confident": False, "crisis": False})
            continue
        docs, scores = retriever.retrieve(toks, k=3, show_progress=False)
        results = [{"id": ids[d]} for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        outs.append({"results": results, "confident": bool(results), "crisis": False})
    return outs


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--queries", default=str(ROOT.parent / "shared" / "guidance" / "dev-queries.jsonl")
    )
    p.add_argument("--no-embeddings", action="store_true")
    args = p.parse_args()
    lines = Path(args.queries).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    library = load_library()
    searcher = Searcher(library, None if args.no_embeddings else load_embedder())
    outs = [searcher.search(r["query"], top=3).as_json() for r in rows]
    base = bm25_baseline(library, [r["query"] for r in rows])
    ours, theirs = metrics(rows, outs), metrics(rows, base)
    print(
        f"queries: {len(rows)} ({ours['n_in_scope']} in scope, {ours['n_oos']} out of scope, {ours['n_crisis']} crisis)"
    )
    print(f"{'metric':22} {'peerconsult':>12} {'bm25s':>8}")
    for key in ("top1", "top3", "oos_rejected", "crisis_recall", "crisis_false_alarms"):
        print(f"{key:22} {ours[key]:12.3f} {theirs[key]:8.3f}")
    print("\nmisses:")
    for r, o in zip(rows, outs, strict=True):
        got = [h["id"] for h in o["results"]]
        problems = []
        if r["expected"] and not r["crisis"] and (not got or got[0] not in r["expected"]):
            problems.append(
                f"top1={got[:1]} want={r['expected']}"
                + ("" if o["confident"] else " (not confident)")
            )
        if not r["expected"] and o["confident"]:
            problems.append(f"out-of-scope but confident: {got[:1]}")
        if r["crisis"] != o["crisis"]:
            problems.append(f"crisis={o['crisis']} want={r['crisis']}")
        if r["expected"] and not r["crisis"] and not o["confident"]:
            problems.append("in scope but not confident")
        if problems:
            print(f"- {r['query'][:110]!r}: {'; '.join(problems)}")


if __name__ == "__main__":
    main()
