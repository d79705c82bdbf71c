#!/usr/bin/env bash
# Benchmark: `slipway up` from a clean testbed to five Ready Nodes (3 masters + 2 workers on
# containerd), the phase times of that run, and the time of a second (unchanged) run.
#   sudo bench/cluster-up.sh
# Needs the testbed (testbed/up 5). Runs itself inside the lab. Env: SLIPWAY_JAR to run a given CLI
# jar instead of bin/slipway; SLIPWAY_AGENT_JAR for the agent jar it ships; INVENTORY for another
# inventory of the same hosts (default inventories/testbed.yaml).
# It wipes every testbed host: do not run it while e2e tests use the testbed.
set -euo pipefail
HOME_DIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

if [ -z "${SLIPWAY_BENCH_IN_LAB:-}" ]; then
  exec env SLIPWAY_BENCH_IN_LAB=1 "$HOME_DIR/testbed/lab" "$0" "$@"
fi

source "$HOME_DIR/bin/lib/jdk.sh"
slipway() {
  if [ -n "${SLIPWAY_JAR:-}" ]; then
    "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \
      -Dslipway.home="$HOME_DIR" -jar "$SLIPWAY_JAR" "$@"
  else
    "$HOME_DIR/bin/slipway" "$@"
  fi
}
inventory=${INVENTORY:-$HOME_DIR/inventories/testbed.yaml}
work=$(mktemp -d /tmp/slipway-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "== clean testbed: agents stopped, /etc/slipway /var/lib/slipway /opt/slipway /var/log/slipway emptied on every host"
for host in master-1 master-2 master-3 worker-1 worker-2; do
  "$HOME_DIR/testbed/exec" "$host" 'if [ -x /opt/slipway/bin/slipway-agent ]; then /opt/slipway/bin/slipway-agent stop --root / >/dev/null; fi; rm -rf /etc/slipway/* /var/lib/slipway/* /opt/slipway/* /var/log/slipway/*'
done

# bin/slipway builds the jars first when a source changed since they were built: not part of `up`'s time.
slipway --version >/dev/null
start=$(seconds)
slipway --output json up -i "$inventory" --cluster-dir "$work/cluster" > "$work/up.json" 2> "$work/up.log" || { grep -v WARNING "$work/up.log"; exit 1; }
up_time=$(elapsed "$start" "$(seconds)")
echo "up to 5 Ready nodes (wall, with JVM start): ${up_time}s"
echo "phases:"
grep -o '"event":"phase-finished","phase":"[^"]*","seconds":[0-9.]*' "$work/up.log" \
  | sed 's/"event":"phase-finished","phase":"\([^"]*\)","seconds":\([0-9.]*\)/  \2s  \1/'

start=$(seconds)
slipway up -i "$inventory" --cluster-dir "$work/cluster" > "$work/again.log" 2>&1 || { cat "$work/again.log"; exit 1; }
again_time=$(elapsed "$start" "$(seconds)")
if ! grep -q 'is unchanged' "$work/again.log"; then
  echo "WARNING: the second run changed something:"
  grep -E '^(master|worker)-' "$work/again.log" || true
fi
echo "second, unchanged run: ${again_time}s"
KUBECONFIG="$work/cluster/admin.kubeconfig" kubectl get nodes -o wide || true
printf 'RESULT up=%ss again=%ss\n' "$up_time" "$again_time"
