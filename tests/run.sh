#!/usr/bin/env bash
# Install what the tests need, then run the whole suite: `bash tests/run.sh [pytest options]`.
# Browser tests use Debian's chromium (never a downloaded browser), deployment tests its nginx and HAProxy; building the
# renderer needs Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)  # the deployment tests put it in front
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)  # and HAProxy
if [ ${#missing[@]} -gt 0 ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python -m pip install --quiet -e ".[test]"

# The kernel tests run on this environment's ipykernel and on older ones, each in a venv under .kernels/.
if [ -z "${JUPYTER_SESSION_KERNEL_PYTHONS:-}" ]; then
  pythons=("$(command -v python)")
  for version in 6.31.0 7.3.0; do
    venv=".kernels/ipykernel-$version"
    [ -x "$venv/bin/python" ] || python -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "ipykernel==$version" "ipywidgets>=8" user-agents "tornado>=6.3"
    pythons+=("$PWD/$venv/bin/python")
  done
  export JUPYTER_SESSION_KERNEL_PYTHONS="${pythons[*]}"
fi
# The habits kept as gates: lint, format, types, the renderer's unit tests, then the suite.
python -m ruff check jupyter_session tests examples bench
python -m ruff format --check jupyter_session tests examples bench
python -m mypy
(cd labextension && npm test --silent)
python -m pytest "$@"
