#!/usr/bin/env bash
# jiuzhu developer entry point. Needs only Python 3.11+; creates .venv and installs on first use.
#   ./dev.sh start      demo data + the whole system on http://127.0.0.1:8000 (SQLite under ./var/)
#   ./dev.sh test [ARGS] the test suite (SQLite; set JIUZHU_TEST_DATABASE_URL for PostgreSQL)
#   ./dev.sh lint       ruff + mypy
#   ./dev.sh jiuzhu …   any jiuzhu command inside the virtual environment
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "jiuzhu needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
  fi
  local stamp=.venv/.jiuzhu-installed want
  want=$(cat pyproject.toml | .venv/bin/python -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing jiuzhu and its dependencies into .venv …" >&2
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'
    echo "$want" >"$stamp"
  fi
}

command=${1:-help}
[ $# -gt 0 ] && shift
case "$command" in
  start)
    ensure_venv
    .venv/bin/jiuzhu demo seed
    exec .venv/bin/jiuzhu serve --host 127.0.0.1 --port 8000 "$@"
    ;;
  test)
    ensure_venv
    exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
    ;;
  lint)
    ensure_venv
    .venv/bin/ruff check .
    .venv/bin/ruff format --check backend bot dialogs scheduler jiuzhu tests benchmarks
    .venv/bin/mypy
    ;;
  jiuzhu)
    ensure_venv
    exec .venv/bin/jiuzhu "$@"
    ;;
  *)
    sed -n '2,6p' "$0"
    ;;
esac
