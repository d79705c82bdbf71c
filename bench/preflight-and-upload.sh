#!/usr/bin/env bash
# Benchmarks on the five-host testbed, inside the lab: `slipway preflight` (several runs, median
# wall time) and a parallel upload over SshTransport to every host (MB/s per host and aggregate).
# Usage: bench/preflight-and-upload.sh [--runs N] [--mb M]     (as root; defaults: 7 runs, 100 MB)
# Builds with the suffix -bench (provisioner/target-bench/), so it never touches another build.
set -euo pipefail
SLIPWAY_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$SLIPWAY_HOME"

usage() { echo "usage: bench/preflight-and-upload.sh [--runs N] [--mb M]" >&2; exit 2; }
runs=7
megabytes=100
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --mb) [ $# -ge 2 ] || usage; megabytes=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ && "$megabytes" =~ ^[1-9][0-9]*$ ]] || usage
[ "$(id -u)" = 0 ] || { echo "bench: needs root (the testbed); try: sudo $0" >&2; exit 1; }

source bin/lib/jdk.sh
say() { echo "bench: $*" >&2; }

say "building the CLI and the transport benchmark (suffix -bench)"
# One reactor run, so the sibling modules need not be installed in the local repository first.
mvn -q -B -Dbuild.suffix=-bench -pl provisioner -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$SLIPWAY_HOME/provisioner/target-bench/bench.classpath" >/dev/null
testbed/up 5 2>/dev/null

jar=provisioner/target-bench/slipway.jar
hosts=(master-1=10.77.0.11 master-2=10.77.0.12 master-3=10.77.0.13 worker-1=10.77.0.21 worker-2=10.77.0.22)

say "preflight against 5 hosts, $runs runs"
times=()
for ((run = 1; run <= runs; run++)); do
  start=$(date +%s%N)
  if ! testbed/lab "$JAVA_HOME/bin/java" -Dslipway.home="$SLIPWAY_HOME" -jar "$jar" \
      preflight -i inventories/testbed.yaml >/tmp/slipway-bench-preflight.out 2>&1; then
    cat /tmp/slipway-bench-preflight.out >&2
    say "preflight failed on run $run"
    exit 1
  fi
  times+=("$(( ($(date +%s%N) - start) / 1000000 ))")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
echo "preflight, 5 hosts, $runs runs (JVM start included), ms: $(echo "$sorted" | tr '\n' ' ')"
echo "preflight median: $median ms (min $(echo "$sorted" | head -n 1), max $(echo "$sorted" | tail -n 1))"

say "upload of $megabytes MB to 5 hosts in parallel"
classpath="provisioner/target-bench/test-classes:provisioner/target-bench/classes:$(cat provisioner/target-bench/bench.classpath)"
# /var/lib/slipway is each host's own disk (/var/tmp is shared by all hosts of the testbed).
testbed/lab "$JAVA_HOME/bin/java" -cp "$classpath" dev.slipway.provisioner.transport.bench.UploadBench \
  --mb "$megabytes" --key testbed/.state/id_ed25519 --known-hosts testbed/.state/known_hosts \
  --dest /var/lib/slipway/bench-upload.bin "${hosts[@]}"
