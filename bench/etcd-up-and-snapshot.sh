#!/usr/bin/env bash
# Benchmark: `slipway up` to a healthy 3-member etcd on the testbed (from a clean testbed), then
# `etcd snapshot save` and `etcd restore` with a keyspace of about 100 MB.
#   sudo bench/etcd-up-and-snapshot.sh [MEGABYTES]     (default 100)
# Needs the testbed (testbed/up 5). Runs itself inside the lab. Env: SLIPWAY_JAR to run a given CLI
# jar instead of bin/slipway; SLIPWAY_AGENT_JAR for the agent jar it ships.
set -euo pipefail
HOME_DIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
megabytes=${1:-100}
[[ "$megabytes" =~ ^[0-9]+$ ]] && [ "$megabytes" -ge 1 ] && [ "$megabytes" -le 2000 ] || { echo "usage: $0 [MEGABYTES 1..2000]" >&2; exit 2; }

# The CLI must run inside the lab, where the testbed hosts are reachable and nothing else is.
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
inventory="$HOME_DIR/inventories/testbed.yaml"
work=$(mktemp -d /tmp/slipway-bench.XXXXXX)
cluster="$work/cluster"
trap 'rm -rf "$work"' EXIT
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
etcdctl_() {
  ETCDCTL_API=3 etcdctl --endpoints=https://10.77.0.11:2379,https://10.77.0.12:2379,https://10.77.0.13:2379 \
    --cacert="$cluster/pki/etcd/ca.crt" --cert="$cluster/pki/apiserver-etcd-client.crt" \
    --key="$cluster/pki/apiserver-etcd-client.key" --command-timeout=30s "$@"
}

echo "== clean testbed: agents stopped, /etc/slipway /var/lib/slipway /opt/slipway emptied on every host"
for host in master-1 master-2 master-3 worker-1 worker-2; do
  "$HOME_DIR/testbed/exec" "$host" 'if [ -x /opt/slipway/bin/slipway-agent ]; then /opt/slipway/bin/slipway-agent stop --root / >/dev/null; fi; rm -rf /etc/slipway/* /var/lib/slipway/* /opt/slipway/* /var/log/slipway/*'
done

start=$(seconds)
slipway up -i "$inventory" --cluster-dir "$cluster" > "$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
up_time=$(elapsed "$start" "$(seconds)")
etcdctl_ endpoint health >/dev/null 2>&1
echo "up to a healthy 3-member etcd: ${up_time}s"

echo "== filling about ${megabytes} MB: $((megabytes * 10)) keys of 100 KiB, 50 per batch"
head -c 76800 /dev/urandom | base64 -w0 > "$work/value"   # 102400 bytes of text
batches=$(( megabytes * 10 / 50 ))
start=$(seconds)
for ((b = 0; b < batches; b++)); do
  for ((i = 0; i < 50; i++)); do
    etcdctl_ put "/bench/$b/$i" < "$work/value" > /dev/null &
  done
  wait
done
echo "filled in $(elapsed "$start" "$(seconds)")s; keys: $(etcdctl_ get /bench/ --prefix --keys-only | grep -c '^/bench/')"

start=$(seconds)
slipway etcd snapshot save -i "$inventory" --cluster-dir "$cluster" -o "$work/bench.db" > "$work/save.log" 2>&1 || { cat "$work/save.log"; exit 1; }
save_time=$(elapsed "$start" "$(seconds)")
echo "snapshot save: ${save_time}s, $(du -m "$work/bench.db" | cut -f1) MB"

start=$(seconds)
slipway etcd restore -i "$inventory" --cluster-dir "$cluster" --snapshot "$work/bench.db" > "$work/restore.log" 2>&1 || { cat "$work/restore.log"; exit 1; }
restore_time=$(elapsed "$start" "$(seconds)")
echo "restore (verify, stop, upload to 3 members, restore, start, healthy): ${restore_time}s"
echo "keys after restore: $(etcdctl_ get /bench/ --prefix --keys-only | grep -c '^/bench/')"
printf 'RESULT up=%ss save=%ss restore=%ss size=%sMB\n' "$up_time" "$save_time" "$restore_time" "$(du -m "$work/bench.db" | cut -f1)"
