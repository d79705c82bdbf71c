#!/usr/bin/env bash
# Benchmark on the testbed cluster (containerd runtime, inventories/testbed.yaml):
#  1. pod start latency: 30 pods of the pre-imported slipway.dev/busybox:1 (`sleep 3600`), created
#     one after another (each once the previous one runs), all pinned to worker-1; latency = the
#     moment a `kubectl get -w` watch, stamped by this script with `date +%s.%N`, first sees the pod
#     minus the moment it sees it Running. p50/p99/max (nearest rank; with 30 pods p99 is the max).
#  2. the agent's resident memory (VmRSS, VmHWM of /var/lib/slipway/agent.pid) on worker-1 with
#     none of this bench's pods, then with 20 of them Running there.
#  3. the CPU that the agent and containerd on worker-1 use over 30 s while those 20 pods idle.
#   sudo bench/pod-start-and-agent-memory.sh
# Env: CLUSTER_DIR, a cluster directory with admin.kubeconfig (default: the newest answering
# /tmp/slipway-e2e-cluster*/ or /tmp/slipway-bench-cluster/; if none answers, the hosts are wiped
# and `bin/slipway up -i inventories/testbed.yaml` makes one in /tmp/slipway-bench-cluster).
# Holds testbed/.state/e2e.lock (both the POSIX lock ClusterUnderTest takes and a flock) while it
# runs; waits at most 10 minutes for it, then says it could not measure.
set -euo pipefail
HOME_DIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
LOCK_WAIT_SECONDS=600
CPU_SAMPLE_SECONDS=30

if [ -z "${SLIPWAY_BENCH_IN_LAB:-}" ]; then
  exec env SLIPWAY_BENCH_IN_LAB=1 "$HOME_DIR/testbed/lab" "$0" "$@"
fi

if [ -z "${SLIPWAY_BENCH_LOCKED:-}" ]; then
  # ClusterUnderTest locks with Java's FileChannel.tryLock, a POSIX (fcntl) lock, which flock(1)
  # does not see on Linux: take both, keep the fd across exec so this script holds them to its end.
  exec env SLIPWAY_BENCH_LOCKED=1 python3 - "$HOME_DIR/testbed/.state/e2e.lock" "$LOCK_WAIT_SECONDS" "$0" "$@" <<'PY'
import fcntl, os, sys, time
path, wait, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
deadline = time.monotonic() + wait
said = False
while True:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        break
    except OSError:
        try:
            fcntl.lockf(fd, fcntl.LOCK_UN)
        except OSError:
            pass
        if time.monotonic() >= deadline:
            print(f"could not measure: {path} stayed held (an e2e run uses the testbed) for {wait:.0f}s", file=sys.stderr)
            sys.exit(3)
        if not said:
            print(f"waiting for {path} (an e2e run holds it), at most {wait:.0f}s", file=sys.stderr)
            said = True
        time.sleep(2)
os.set_inheritable(fd, True)
os.environ["SLIPWAY_BENCH_LOCK_FD"] = str(fd)
os.execvp("bash", ["bash"] + argv)
PY
fi

echo "== holding testbed/.state/e2e.lock since $(date -u +%H:%M:%S) UTC"
exec_on() { "$HOME_DIR/testbed/exec" "$@"; }
now() { date +%s.%N; }

answers() { [ -f "$1/admin.kubeconfig" ] && kubectl --kubeconfig "$1/admin.kubeconfig" --request-timeout=5s get --raw /readyz >/dev/null 2>&1; }
cluster=""
if [ -n "${CLUSTER_DIR:-}" ]; then
  answers "$CLUSTER_DIR" || { echo "no cluster answers in $CLUSTER_DIR" >&2; exit 1; }
  cluster=$CLUSTER_DIR
else
  for dir in $(ls -dt /tmp/slipway-e2e-cluster*/ /tmp/slipway-bench-cluster/ 2>/dev/null | head -10); do
    if answers "${dir%/}"; then cluster=${dir%/}; break; fi
  done
fi
if [ -z "$cluster" ]; then
  cluster=/tmp/slipway-bench-cluster
  echo "== no cluster answers: wiping the hosts and bringing one up in $cluster"
  for host in master-1 master-2 master-3 worker-1 worker-2; do
    exec_on "$host" 'if [ -x /opt/slipway/bin/slipway-agent ]; then /opt/slipway/bin/slipway-agent stop --root / >/dev/null; fi; rm -rf /etc/slipway/* /var/lib/slipway/* /opt/slipway/* /var/log/slipway/*'
  done
  rm -rf "$cluster"
  timeout 900 "$HOME_DIR/bin/slipway" up -i "$HOME_DIR/inventories/testbed.yaml" --cluster-dir "$cluster" > /tmp/slipway-bench-up.log 2>&1 \
    || { tail -30 /tmp/slipway-bench-up.log; exit 1; }
fi
export KUBECONFIG="$cluster/admin.kubeconfig"
echo "== cluster: $cluster"
kubectl get nodes
kubectl wait --for=condition=Ready node/worker-1 --timeout=60s >/dev/null

ns="bench-pods-$(date +%s)"
work=$(mktemp -d /tmp/slipway-bench-pods.XXXXXX)
watcher=""
stop_watch() { # the watch's kubectl and reader are the subshell's children: end them by parent pid
  [ -n "$watcher" ] || return 0
  pkill -P "$watcher" 2>/dev/null || true
  kill "$watcher" 2>/dev/null || true
  watcher=""
}
cleanup() {
  stop_watch
  kubectl delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# apply, not create: kubectl 1.32's create sends protobuf, which the API server does not take.
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$ns" | kubectl apply -f - >/dev/null

pod() { # name -> a pod manifest pinned to worker-1
  cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $ns
  labels: {bench: "$2"}
spec:
  nodeSelector: {kubernetes.io/hostname: worker-1}
  terminationGracePeriodSeconds: 0
  containers:
    - name: sleep
      image: slipway.dev/busybox:1
      imagePullPolicy: Never
      command: [sleep, "3600"]
EOF
}
gone() { # label: waits (bounded) until no pod of that label is left
  kubectl delete pods -n "$ns" -l "bench=$1" --wait=false >/dev/null
  for _ in $(seq 1 90); do
    [ -z "$(kubectl get pods -n "$ns" -l "bench=$1" -o name 2>/dev/null)" ] && return 0
    sleep 2
  done
  echo "WARNING: pods bench=$1 still there after 180s" >&2
}
rss() { # prints "VmRSS VmHWM" in kB of the agent on worker-1
  exec_on worker-1 'pid=$(cat /var/lib/slipway/agent.pid); awk '"'"'/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} END {print r, h}'"'"' /proc/$pid/status'
}
jvm_options() { # the agent's JVM options on worker-1 (agent.env's profile, then the command line up to -jar)
  exec_on worker-1 'profile=$(sed -n "s/^SLIPWAY_AGENT_PROFILE=//p" /etc/slipway/agent.env 2>/dev/null); pid=$(cat /var/lib/slipway/agent.pid)
    echo "profile=${profile:-none (no agent.env)} options: $(tr "\0" " " < /proc/$pid/cmdline | sed "s/ -jar .*//; s/^[^ ]* //")"'
}
cpu_ticks() { # prints "agent containerd": CPU time used so far (user and system, in clock ticks of 10 ms) on worker-1
  exec_on worker-1 'for f in /var/lib/slipway/agent.pid $(find /var/lib/slipway -name containerd.pid | head -1); do
    awk "{ printf \"%d \", \$14 + \$15 }" /proc/$(cat "$f")/stat; done; echo'
}
pods_on_worker1() { kubectl get pods -A -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' 2>/dev/null | grep -cx worker-1 || true; }

echo "== 1. pod start latency: 30 pods, one after another, all on worker-1 (nodeSelector), image slipway.dev/busybox:1"
# One watch for the namespace; every line is stamped here as it arrives. It does not keep the
# lock's fd, so that nothing left behind could hold the lock after this script.
( eval "exec ${SLIPWAY_BENCH_LOCK_FD}>&-"
  kubectl get pods -n "$ns" -l bench=start -w -o jsonpath='{.metadata.name} {.status.phase}{"\n"}' 2>"$work/watch.err" \
    | while read -r name phase; do echo "$(now) $name $phase"; done > "$work/watch" ) &
watcher=$!
sleep 2
for i in $(seq 1 30); do
  name=start-$i
  pod "$name" start | kubectl apply -f - >/dev/null
  ok=""
  for _ in $(seq 1 600); do # 60 s
    if grep -q " $name Running$" "$work/watch"; then ok=1; break; fi
    sleep 0.1
  done
  [ -n "$ok" ] || { echo "$name not seen Running within 60s:"; kubectl get pod -n "$ns" "$name" -o wide; cat "$work/watch.err"; exit 1; }
done
stop_watch
awk '{ if (!($2 in first)) first[$2] = $1; if ($3 == "Running" && !($2 in run)) run[$2] = $1 }
     END { for (p in run) printf "%.3f\n", run[p] - first[p] }' "$work/watch" | sort -n > "$work/latencies"
n=$(wc -l < "$work/latencies")
pick() { sed -n "$(awk -v n="$n" -v q="$1" 'BEGIN { r = int(q * n); if (r < q * n) r++; if (r < 1) r = 1; print r }')p" "$work/latencies"; }
p50=$(pick 0.50); p99=$(pick 0.99); max=$(tail -1 "$work/latencies"); min=$(head -1 "$work/latencies")
echo "pods measured: $n"
echo "latencies (s, sorted): $(tr '\n' ' ' < "$work/latencies")"
# In creation order too: a slow first pod (a cold path) and a slow pod later (a collection, a lease round) call for different fixes.
echo "latencies (s, start-1 to start-30): $(awk '{ if (!($2 in first)) first[$2] = $1; if ($3 == "Running" && !($2 in run)) run[$2] = $1 }
  END { for (i = 1; i <= 30; i++) { p = "start-" i; if (p in run) printf "%.3f ", run[p] - first[p] } }' "$work/watch")"
printf 'RESULT pod-start n=%s p50=%ss p99=%ss max=%ss min=%ss\n' "$n" "$p50" "$p99" "$max" "$min"
gone start

echo "== 2. agent memory on worker-1"
echo "agent JVM on worker-1: $(jvm_options)"
sleep 10 # let the deletions settle
others=$(pods_on_worker1)
read -r rss0 hwm0 < <(rss)
echo "pods on worker-1 (all namespaces): $others; agent VmRSS=${rss0} kB VmHWM=${hwm0} kB"
for i in $(seq 1 20); do pod "mem-$i" mem; echo "---"; done | kubectl apply -f - >/dev/null
kubectl wait --for=jsonpath='{.status.phase}'=Running pods -n "$ns" -l bench=mem --timeout=180s >/dev/null \
  || { kubectl get pods -n "$ns" -l bench=mem; exit 1; }
sleep 10 # a few sync rounds of the agent with 20 pods
running=$(kubectl get pods -n "$ns" -l bench=mem -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -cx Running || true)
read -r rss20 hwm20 < <(rss)
echo "pods on worker-1 (all namespaces): $(pods_on_worker1) ($running of this bench Running); agent VmRSS=${rss20} kB VmHWM=${hwm20} kB"
printf 'RESULT agent-rss worker-1 base=%s pods: VmRSS=%skB (%.0f MiB); +20 pods: VmRSS=%skB (%.0f MiB); VmHWM=%skB\n' \
  "$others" "$rss0" "$(echo "$rss0/1024" | bc -l)" "$rss20" "$(echo "$rss20/1024" | bc -l)" "$hwm20"
echo "== 3. CPU on worker-1 with those 20 pods idle (the kubelet resyncs each pod every second)"
read -r agent0 containerd0 < <(cpu_ticks)
sleep "$CPU_SAMPLE_SECONDS"
read -r agent1 containerd1 < <(cpu_ticks)
printf 'RESULT idle-cpu worker-1 20 pods, %s s: agent %.1f%% of a core, containerd %.1f%% of a core\n' "$CPU_SAMPLE_SECONDS" \
  "$(echo "($agent1 - $agent0) / $CPU_SAMPLE_SECONDS" | bc -l)" "$(echo "($containerd1 - $containerd0) / $CPU_SAMPLE_SECONDS" | bc -l)"
gone mem
echo "== cleaned up (namespace $ns deleted)"
