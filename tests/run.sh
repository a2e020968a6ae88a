#!/usr/bin/env bash
# Install what the tests need, then run the whole suite: `bash tests/run.sh [pytest options]`.
# Browser tests use Debian's chromium (never a downloaded browser); building the renderer needs Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python -m pip install --quiet -e ".[test]"
python -m ruff check jupyter_session tests examples
python -m pytest "$@"
