#!/usr/bin/env bash
# The main job on the local defaults, from a fresh clone: install what is missing, then
# `edumon demo`: the local Kafka broker up, a simulated Jiaozuo year published, the pipeline
# ingesting it, and a summary of the warehouse. Extra arguments go to `edumon demo`.
# The broker keeps running afterwards (`npm run kafka:down` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/install.sh
exec node bin/edumon.mjs demo "$@"
