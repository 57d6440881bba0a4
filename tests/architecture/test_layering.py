"""The dependency direction of architecture.md, checked on every import in the tree:
bot, backend/web, scheduler → dialogs → backend/<domain> → backend/core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package prefix → imports it must never make
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "backend": ("aiogram", "bot", "dialogs", "scheduler", "jiuzhu"),
    "dialogs": ("aiogram", "fastapi", "starlette", "bot", "scheduler", "jiuzhu", "backend.web"),
    "backend.core": ("backend.cases", "backend.people", "backend.regions", "backend.staff",
                     "backend.web", "backend.classifier"),
    "scheduler": ("bot", "jiuzhu", "backend.web"),
    "bot": ("scheduler", "jiuzhu", "backend.web"),
}  # fmt: skip
# backend domains must not import the web layer
DOMAIN_FORBIDDEN = ("backend.web", "fastapi", "starlette")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _sources() -> list[Path]:
    return [
        p
        for top in ("backend", "dialogs", "bot", "scheduler")
        for p in (ROOT / top).rglob("*.py")
        if "migrations" not in p.parts
    ]


def _hits(imported: str, banned: str) -> bool:
    return imported == banned or imported.startswith(banned + ".")


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_dependency_direction(path: Path) -> None:
    module = _module_name(path)
    rules = [
        banned for prefix, bans in FORBIDDEN.items() if _hits(module, prefix) for banned in bans
    ]
    if _hits(module, "backend") and not _hits(module, "backend.web"):
        rules += list(DOMAIN_FORBIDDEN)
    if _hits(module, "backend.web.chat"):  # the web chat is a transport adapter: web → dialogs
        rules.remove("dialogs")
    broken = [i for i in _imports(path) for b in rules if _hits(i, b)]
    assert not broken, f"{module} imports {broken}"


def test_the_rules_catch_a_violation(tmp_path: Path) -> None:
    # A rule that could never fail would be worthless: show it fires on a bad import.
    bad = ROOT / "backend" / "cases" / "service.py"
    assert "aiogram" not in _imports(bad)
    sample = tmp_path / "x.py"
    sample.write_text("from aiogram import Bot\nimport backend.web.app\n")
    assert _imports(sample) == ["aiogram", "backend.web.app"]
    assert _hits("backend.web.app", "backend.web") and not _hits("backend.webx", "backend.web")
