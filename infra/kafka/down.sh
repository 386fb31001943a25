#!/usr/bin/env bash
# Stops the local broker started by up.sh (SIGTERM, then SIGKILL after 30 s). Idempotent.
# With --wipe, also deletes its data (topics, offsets).
set -euo pipefail
source "$(dirname "$0")/env.sh"
if pid=$(broker_pid); then
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; echo "kafka: killed (did not stop in 30 s)"; else echo "kafka: stopped"; fi
else
  echo "kafka: not running"
fi
rm -f "$KAFKA_PIDFILE"
if [ "${1:-}" = "--wipe" ]; then rm -rf "$KAFKA_DATA"; echo "kafka: wiped $KAFKA_DATA"; fi
