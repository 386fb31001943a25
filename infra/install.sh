#!/usr/bin/env bash
# Installs what a new machine lacks for edumon: Node 20+, a Java 17+ JDK and Maven (for the local
# Kafka broker and the tests' Java producer), Chromium and the Noto CJK fonts (the email screenshot
# test), the npm dependencies, the CLI's build (build/) and the broker jars. Safe to run again:
# skips what is there. One line per step; what the tools print goes to infra/.logs/install.log,
# whose last lines are shown (and the file named) when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p infra/.logs
LOG=infra/.logs/install.log
: >"$LOG"

# step WHAT CMD...: runs CMD with its output in the log, says WHAT on one line with the time it took.
step() {
  local what=$1 started=$SECONDS
  shift
  printf 'install: %s ... ' "$what"
  echo "== $what: $*" >>"$LOG"
  if "$@" >>"$LOG" 2>&1; then
    echo "done ($((SECONDS - started)) s)"
  else
    local status=$?
    echo "failed (exit $status)"
    echo "install: the last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    echo "install: the whole output of every step is in $LOG" >&2
    exit "$status"
  fi
}

need_apt=()
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || need_apt+=(nodejs npm)
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[ "${java_major:-0}" -ge 17 ] || need_apt+=(openjdk-17-jdk-headless)
# The tests run the stock Java producer from source (java File.java), which needs the JDK's compiler.
[ "${java_major:-0}" -lt 17 ] || java --list-modules 2>/dev/null | grep '^jdk.compiler@' >/dev/null ||
  need_apt+=("openjdk-${java_major}-jdk-headless")
command -v mvn >/dev/null || need_apt+=(maven)
# The email tests render alert emails in headless Chromium (Debian's, through playwright-core), with
# CJK glyphs from Noto (a test tool's own browser download is not used).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]} (a few minutes)" \
    env DEBIAN_FRONTEND=noninteractive bash -c 'apt-get update -q && apt-get install -y -q "$@"' apt "${need_apt[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci" npm ci --no-audit --no-fund --loglevel=error
fi
step "build the CLI (build/)" node infra/build.mjs
if [ ! -f infra/kafka/.dist/libs/.complete ]; then
  step "fetch the Kafka broker from Maven Central" bash infra/kafka/fetch.sh
fi
