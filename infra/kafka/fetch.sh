#!/usr/bin/env bash
# Downloads the Kafka broker jars from Maven Central into infra/kafka/.dist/libs (once).
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ -f "$KAFKA_DIST/libs/.complete" ]; then exit 0; fi
command -v java >/dev/null || { echo "kafka: java is not installed (Java 17+ is needed)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "kafka: mvn is not installed (Maven fetches the broker)" >&2; exit 1; }
echo "kafka: fetching the broker from Maven Central into $KAFKA_DIST/libs ..."
rm -rf "$KAFKA_DIST/libs"
mvn -q -B -f "$KAFKA_HOME_DIR/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$KAFKA_DIST/libs"
touch "$KAFKA_DIST/libs/.complete"
echo "kafka: fetched $(ls "$KAFKA_DIST/libs" | wc -l) jars"
