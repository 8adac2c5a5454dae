"""How listeners reach the core: Bolt's context carries the shared Services."""

from __future__ import annotations

from typing import Any

from bot.runtime import Services


def services(context: Any) -> Services:
    return context["services"]
