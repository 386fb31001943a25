# Shared settings for the local Kafka scripts. Override with the environment.
KAFKA_HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DIST="${KAFKA_DIST:-$KAFKA_HOME_DIR/.dist}"
KAFKA_DATA="${KAFKA_DATA:-$KAFKA_HOME_DIR/.data/$KAFKA_PORT}"
KAFKA_PIDFILE="$KAFKA_DATA/broker.pid"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx1g}"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
broker_pid() { [ -f "$KAFKA_PIDFILE" ] && kill -0 "$(cat "$KAFKA_PIDFILE")" 2>/dev/null && cat "$KAFKA_PIDFILE"; }
