#!/usr/bin/env bash
# Starts a single combined broker+controller (KRaft) on 127.0.0.1:$KAFKA_PORT. Idempotent.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if pid=$(broker_pid) && port_open "$KAFKA_PORT"; then
  echo "kafka: already running on 127.0.0.1:$KAFKA_PORT (pid $pid)"; exit 0
fi
if port_open "$KAFKA_PORT"; then
  echo "kafka: port $KAFKA_PORT is taken by another process; set KAFKA_PORT to use another" >&2; exit 1
fi
bash "$KAFKA_HOME_DIR/fetch.sh"
mkdir -p "$KAFKA_DATA/logs"
props="$KAFKA_DATA/server.properties"
sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    -e "s#@DATA@#$KAFKA_DATA/kraft#g" "$KAFKA_HOME_DIR/server.properties.in" > "$props"
cp="$KAFKA_DIST/libs/*"
jvm=(java $KAFKA_HEAP -Dlog4j2.configurationFile="$KAFKA_HOME_DIR/log4j2.yaml"
     -Dkafka.logs.dir="$KAFKA_DATA/logs" -cp "$cp")
if [ ! -f "$KAFKA_DATA/kraft/meta.properties" ]; then
  cluster_id=$("${jvm[@]}" kafka.tools.StorageTool random-uuid)
  "${jvm[@]}" kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$props" >/dev/null
  echo "kafka: formatted KRaft storage in $KAFKA_DATA/kraft (cluster $cluster_id)"
fi
nohup "${jvm[@]}" kafka.Kafka "$props" >"$KAFKA_DATA/logs/stdout.log" 2>&1 &
echo $! > "$KAFKA_PIDFILE"
for _ in $(seq 1 120); do
  if port_open "$KAFKA_PORT"; then echo "kafka: up on 127.0.0.1:$KAFKA_PORT (pid $(cat "$KAFKA_PIDFILE"))"; exit 0; fi
  if ! kill -0 "$(cat "$KAFKA_PIDFILE")" 2>/dev/null; then
    echo "kafka: the broker exited during start-up; last lines of $KAFKA_DATA/logs/stdout.log:" >&2
    tail -20 "$KAFKA_DATA/logs/stdout.log" >&2; exit 1
  fi
  sleep 0.5
done
echo "kafka: not listening on $KAFKA_PORT after 60 s; see $KAFKA_DATA/logs" >&2; exit 1
