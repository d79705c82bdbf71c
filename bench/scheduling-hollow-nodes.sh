#!/usr/bin/env bash
# Scheduling throughput with hollow nodes, kubemark-style: etcd and the API server on loopback,
# N real agents (node registration, Leases, kubelets) over an in-memory runtime in one JVM, the real
# scheduler, P pods. Prints pods bound per second, time to all Running, JVM memory and threads, and the CPU this
# JVM (and of it the JIT compiler) and etcd used, idle (once the JIT has settled, at most 60 s) and per pod.
# Usage: bench/scheduling-hollow-nodes.sh [--nodes N] [--pods P] [--workers W] [--creators C] [--pods-first] [--warm-up-pods U] [--runs R]
#        (defaults: 1000 nodes, 5000 pods, 16 scheduler workers (the scheduler's default), 32 concurrent creates, pods created while
#        the scheduler runs, 1 run; --pods-first creates every pod before the scheduler starts; --warm-up-pods U first
#        schedules U pods (default 1000, 0 for none) with a scheduler of its own, unmeasured, so that the measured round runs
#        on compiled code as a running cluster does; no root, no testbed)
# Builds with the suffix -hollow-bench (node-bootstrap/target-hollow-bench/), so it never touches another build.
set -euo pipefail
SLIPWAY_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$SLIPWAY_HOME"

usage() { echo "usage: bench/scheduling-hollow-nodes.sh [--nodes N] [--pods P] [--workers W] [--creators C] [--pods-first] [--warm-up-pods U] [--runs R]" >&2; exit 2; }
nodes=1000
pods=5000
workers=16
creators=32
order=concurrent
warm_up=1000
runs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) [ $# -ge 2 ] || usage; nodes=$2; shift 2 ;;
    --pods) [ $# -ge 2 ] || usage; pods=$2; shift 2 ;;
    --workers) [ $# -ge 2 ] || usage; workers=$2; shift 2 ;;
    --creators) [ $# -ge 2 ] || usage; creators=$2; shift 2 ;;
    --pods-first) order=pods-first; shift ;;
    --warm-up-pods) [ $# -ge 2 ] || usage; warm_up=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    *) usage ;;
  esac
done
for n in "$nodes" "$pods" "$workers" "$creators" "$runs"; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || usage; done
[[ "$warm_up" =~ ^(0|[1-9][0-9]*)$ ]] || usage
command -v etcd >/dev/null || [ -x /usr/bin/etcd ] || { echo "bench: needs /usr/bin/etcd (Debian etcd-server)" >&2; exit 1; }

source bin/lib/jdk.sh
say() { echo "bench: $*" >&2; }

say "building node-bootstrap and its test classes (suffix -hollow-bench)"
# One reactor run: the class path then names the sibling modules' fresh class directories, so nothing
# needs to be installed in the local repository first (a fresh machine has none of them).
mvn -q -B -Dbuild.suffix=-hollow-bench -pl node-bootstrap -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$SLIPWAY_HOME/node-bootstrap/target-hollow-bench/bench.classpath" >/dev/null
classpath="node-bootstrap/target-hollow-bench/test-classes:node-bootstrap/target-hollow-bench/classes"
classpath="$classpath:$(cat node-bootstrap/target-hollow-bench/bench.classpath)"

for ((run = 1; run <= runs; run++)); do
  say "run $run of $runs: $nodes hollow nodes, $warm_up warm-up pods, then $pods pods (uptime: $(uptime))"
  # A thousand agents' info logs would swamp the figures; warnings still show.
  "$JAVA_HOME/bin/java" -Xmx6g ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" \
    dev.slipway.agent.hollow.HollowSchedulingBenchmark "$nodes" "$pods" "$workers" "$creators" "$order" "$warm_up"
done
