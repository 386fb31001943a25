#!/usr/bin/env bash
# The test suite from a fresh clone: install, then vitest (which starts the local broker if it
# is not up, and stops it again if it started it). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/install.sh
exec npx vitest run "$@"
