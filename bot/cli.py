"""The `peerconsult` command line (names and behaviour are in CONTRACT.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"peerconsult: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _library(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.guidance.library import ContentError, load_library

    root = settings.PEERCONSULT_CONTENT_DIR
    try:
        return load_library(Path(root) if root else None)
    except ContentError as exc:
        print(
            f"peerconsult: the content library has faults; run `peerconsult content check`\n{exc}",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


def _guidance(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.runtime import build_guidance

    return build_guidance(settings, _library(settings))


def cmd_serve(_args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        settings.require_serve()
    except SettingsError as exc:
        print(f"peerconsult: {exc}", file=sys.stderr)
        return 2
    from bot.runtime import build_services
    from handlers.slack.main import run

    guidance = _guidance(settings)

    async def main() -> None:
        svc = await build_services(settings, guidance)
        await run(svc)

    asyncio.run(main())
    return 0


def cmd_console(_args: argparse.Namespace) -> int:
    from bot.guidance.plain import render_answer

    settings = _settings()
    guidance = _guidance(settings)
    print("peerconsult console: describe a boundary situation (empty line or Ctrl-D to quit).")
    while True:
        try:
            line = input("\nsituation> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line.strip():
            return 0
        print(render_answer(guidance.answer(line), settings.ONCALL_LINE))


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.guidance.plain import render_answer

    settings = _settings()
    text = " ".join(args.text)
    if not text.strip():
        print(
            "peerconsult: describe the situation, e.g. peerconsult ask 'a client offered me cash'",
            file=sys.stderr,
        )
        return 2
    print(render_answer(_guidance(settings).answer(text), settings.ONCALL_LINE))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    guidance = _guidance(_settings())
    top = max(1, args.top)
    for line in sys.stdin:
        query = line.rstrip("\n")
        if not query.strip():
            continue
        result = guidance.searcher.search(query, top=top)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            flag = " CRISIS" if result.crisis else ""
            conf = "" if result.confident else " (not confident)"
            print(f"{query}{flag}{conf}")
            for hit in result.results:
                print(f"  {hit.score:.3f}  {hit.id}")
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    from bot.guidance.library import ContentError, load_library

    root = Path(args.dir) if args.dir else None
    try:
        library = load_library(root)
    except ContentError as exc:
        for fault in exc.faults:
            print(f"error: {fault}")
        print(f"content check failed: {len(exc.faults)} fault(s)")
        return 1
    from handlers.slack.render.check import render_faults

    faults = render_faults(library)
    for fault in faults:
        print(f"error: {fault}")
    if faults:
        print(f"content check failed: {len(faults)} fault(s)")
        return 1
    print(
        f"content ok: {len(library.topics)} topics, {len(library.tips)} tips, "
        f"{sum(map(len, library.org.topics.values())) + sum(map(len, library.org.categories.values()))} policy links"
    )
    return 0


def cmd_tips_broadcast(_args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.SLACK_BOT_TOKEN:
        print(
            "peerconsult: SLACK_BOT_TOKEN is not set: the broadcast needs the bot token (xoxb-…)",
            file=sys.stderr,
        )
        return 2
    from handlers.slack.main import broadcast_now

    # The library alone, and only if this week's rows are not stored yet: a broadcast never
    # searches, so no index or embeddings to build, and a rerun after a crash resumes sooner.
    return asyncio.run(broadcast_now(settings, lambda: _library(settings)))


def cmd_keygen(_args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="peerconsult", description="Peer consultation on professional boundaries."
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "serve", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)"
    ).set_defaults(func=cmd_serve)
    sub.add_parser("console", help="terminal console: type a situation, get guidance").set_defaults(
        func=cmd_console
    )
    ask = sub.add_parser("ask", help="print the guidance for one situation")
    ask.add_argument("text", nargs="*")
    ask.set_defaults(func=cmd_ask)
    search = sub.add_parser("search", help="search situations read from standard input, one a line")
    search.add_argument("--json", action="store_true", help="one JSON object per line")
    search.add_argument("--top", type=int, default=3, help="results per query (default 3)")
    search.set_defaults(func=cmd_search)
    content = sub.add_parser("content", help="content library tools")
    csub = content.add_subparsers(dest="content_command", required=True)
    check = csub.add_parser("check", help="validate the content library")
    check.add_argument("dir", nargs="?", help="content directory (default: the bundled content/)")
    check.set_defaults(func=cmd_content_check)
    tips = sub.add_parser("tips", help="weekly tips")
    tsub = tips.add_subparsers(dest="tips_command", required=True)
    tsub.add_parser("broadcast", help="run this week's broadcast now (idempotent)").set_defaults(
        func=cmd_tips_broadcast
    )
    sub.add_parser("keygen", help="print a new PEERCONSULT_SECRET_KEY").set_defaults(
        func=cmd_keygen
    )
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
