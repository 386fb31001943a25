#!/usr/bin/env bash
# The main job on the local defaults, from a fresh clone: install, start the local Kafka broker,
# then run the pipeline in the foreground (Ctrl-C stops it cleanly; the broker keeps running:
# `npm run kafka:down` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/install.sh
bash infra/kafka/up.sh
exec node bin/edumon.mjs run "$@"
