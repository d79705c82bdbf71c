# Sourced by the testbed scripts: names, paths and the few operations they share.
# Every host H is: network namespace slipway-H (eth0 on the lab bridge), and an "anchor" process
# (argv0 slipway-host-H) that holds the host's private mount and UTS namespaces; sshd and every
# session run inside those. See testbed/README.md.

TESTBED_HOME=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
STATE=$TESTBED_HOME/.state
LAB_NS=slipway-lab
LAB_BRIDGE=br-lab
LAB_GATEWAY=10.77.0.1
TEST_KEY=$STATE/id_ed25519
KNOWN_HOSTS=$STATE/known_hosts
AUTHORIZED_KEYS=$STATE/authorized_keys
HOST_FOLDERS=(/etc/slipway /var/lib/slipway /opt/slipway /var/log/slipway)
HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "testbed: $*" >&2; exit 1; }
say() { echo "testbed: $*" >&2; }

require_root() {
  [ "$(id -u)" = 0 ] || die "must run as root (network and mount namespaces need it); try: sudo $0 $*"
}

host_ns() { echo "slipway-$1"; }
host_veth() { echo "v-$1"; }   # lab side of the host's cable; at most 15 characters
host_dir() { echo "$STATE/hosts/$1"; }

# master-K is 10.77.0.(10+K), worker-K is 10.77.0.(20+K), as in inventories/testbed.yaml.
host_address() {
  case "$1" in
    master-[1-9]|master-[1-9][0-9]) echo "10.77.0.$((10 + ${1#master-}))" ;;
    worker-[1-9]|worker-[1-9][0-9]) echo "10.77.0.$((20 + ${1#worker-}))" ;;
    *) return 1 ;;
  esac
}

# The N host names of `testbed/up N`: three masters first, then workers.
host_names() {
  local n=$1 i
  for ((i = 1; i <= n && i <= 3; i++)); do echo "master-$i"; done
  for ((i = 1; i <= n - 3; i++)); do echo "worker-$i"; done
}

netns_exists() { [ -e "/run/netns/$1" ]; }

# Hosts that exist now (their network namespace is there), in name order.
existing_hosts() {
  local f
  for f in /run/netns/slipway-*; do
    [ -e "$f" ] || continue
    f=${f#/run/netns/slipway-}
    [ "$f" = lab ] || echo "$f"
  done | sort -V
}

# Checks that HOST names an existing testbed host; dies with the list of hosts otherwise.
require_host() {
  local h=$1
  host_address "$h" >/dev/null || die "unknown host '$h': hosts are named master-N or worker-N (existing: $(existing_hosts | tr '\n' ' '))"
  netns_exists "$(host_ns "$h")" || die "host '$h' does not exist (existing: $(existing_hosts | tr '\n' ' ')); run testbed/up"
}

ns_id() { readlink "$1" 2>/dev/null | tr -dc '0-9'; }   # net:[4026531833] -> 4026531833
file_ns_id() { stat -L -c %i "$1" 2>/dev/null; }

in_lab() { netns_exists "$LAB_NS" && [ "$(ns_id /proc/self/ns/net)" = "$(file_ns_id "/run/netns/$LAB_NS")" ]; }

require_outside_lab() {
  in_lab && die "$(basename "$0") changes namespaces and must run on the machine itself, not inside the lab"
  return 0
}

# Prints the pid of the host's anchor process, or fails when the host is powered off.
anchor_pid() {
  local h=$1 pid
  pid=$(cat "$(host_dir "$h")/run/anchor.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)" = "slipway-host-$h" ] || return 1
  [ "$(ns_id "/proc/$pid/ns/net")" = "$(file_ns_id "/run/netns/$(host_ns "$h")")" ] || return 1
  echo "$pid"
}

# Prints the pid of the host's listening sshd (the sshd whose parent is the anchor, the host's
# PID 1; its pid file holds the pid as the host sees it), or fails when it is not running.
sshd_pid() {
  local h=$1 apid pid
  apid=$(anchor_pid "$h") || return 1
  for pid in $(ps -o pid= --ppid "$apid"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] && { echo "$pid"; return 0; }
  done
  return 1
}

# The caller and its ancestors: never killed, so that a script may run inside what it stops.
own_lineage() {
  local pid=$BASHPID
  while [ -n "$pid" ] && [ "$pid" != 0 ]; do
    echo "$pid"
    pid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || break
  done
}

# Every process of a host: in its network namespace, or in its mount namespace (as recorded at
# boot), plus all their descendants (processes that made namespaces of their own, e.g. containers).
host_pids() {
  local h=$1 net mnt
  net=$(file_ns_id "/run/netns/$(host_ns "$h")")
  mnt=$(cat "$(host_dir "$h")/run/mntns" 2>/dev/null || true)
  pids_in_namespaces "$net" "$mnt"
}

pids_in_namespaces() { # NET_ID [MNT_ID]
  local net=$1 mnt=${2:-none}
  {
    find /proc/[0-9]*/ns/net -maxdepth 0 -printf 'net %h %l\n' 2>/dev/null
    find /proc/[0-9]*/ns/mnt -maxdepth 0 -printf 'mnt %h %l\n' 2>/dev/null
    echo "--"
    ps -e -o pid=,ppid=
    echo "--"
    own_lineage
  } | awk -v net="$net" -v mnt="$mnt" '
    BEGIN { part = 0 }
    $0 == "--" { part++; next }
    part == 0 {
      split($2, path, "/"); id = $3; gsub(/[^0-9]/, "", id)
      if (($1 == "net" && id == net) || ($1 == "mnt" && id == mnt)) member[path[3]] = 1
      next
    }
    part == 1 { parent[$1] = $2; next }
    part == 2 { spare[$1] = 1 }
    END {
      # descendants: repeat until no new member (bounded by the process count)
      for (round = 0; round < 64; round++) {
        added = 0
        for (c in parent) if (!(c in member) && (parent[c] in member)) { member[c] = 1; added = 1 }
        if (!added) break
      }
      for (pid in member) if (!(pid in spare)) print pid
    }'
}

# Kills the processes printed by "$@" until none is left (bounded: about 10 s).
kill_all() {
  local round pids
  for ((round = 0; round < 100; round++)); do
    pids=$("$@")
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  die "could not stop every process ($*): still running: $("$@" | tr '\n' ' ')"
}

# Waits (at most 10 s) until the host's sshd listens on port 22.
wait_for_sshd() {
  local h=$1 ns round
  ns=$(host_ns "$h")
  for ((round = 0; round < 100; round++)); do
    if nsenter --net="/run/netns/$ns" ss -Htln 'sport = :22' 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.1
  done
  die "$h: sshd did not start listening on port 22 within 10 s; see $(host_dir "$h")/log/sshd.log"
}

# Writes the host's sshd configuration (its own host key, pid file, log; root by the test key only).
write_sshd_config() {
  local h=$1 d
  d=$(host_dir "$h")
  cat >"$d/ssh/sshd_config" <<CONF
# sshd of testbed host $h, written by testbed/up; changes are overwritten.
Port 22
ListenAddress $(host_address "$h")
HostKey $d/ssh/ssh_host_ed25519_key
# The pid as the host sees it (the host has its own PID namespace).
PidFile $d/run/sshd.pid
AuthorizedKeysFile $AUTHORIZED_KEYS
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
MaxSessions 64
MaxStartups 100:30:200
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
CONF
}

# Starts the host's sshd inside the host (its anchor must be running) and waits for it.
start_sshd() {
  local h=$1 apid d
  d=$(host_dir "$h")
  apid=$(anchor_pid "$h") || die "$h is powered off"
  mkdir -p "$d/log"
  nsenter -t "$apid" --net --mount --uts --pid -- /usr/sbin/sshd -f "$d/ssh/sshd_config" -E "$d/log/sshd.log" \
    || die "$h: sshd refused to start; see $d/log/sshd.log"
  wait_for_sshd "$h"
}

stop_sshd() {
  local h=$1 pid round
  pid=$(sshd_pid "$h") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((round = 0; round < 50; round++)); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Boots a powered-off host: network card up, a fresh anchor as PID 1 of new PID, mount and UTS
# namespaces (the host's folders bound from its "disk", its own /proc and /tmp), then sshd.
boot_host() {
  local h=$1 ns d round apid=""
  ns=$(host_ns "$h")
  d=$(host_dir "$h")
  mkdir -p "$d/run" "$d/log"
  rm -f "$d/run/anchor.pid" "$d/run/mntns"
  ip -n "$ns" link show eth0 >/dev/null 2>&1 || die "$h has no network card (was the lab removed?); run testbed/up"
  ip -n "$ns" link set eth0 up
  setsid -f nsenter --net="/run/netns/$ns" -- \
    unshare --pid --fork --mount-proc --mount --uts --propagation private -- \
    /bin/bash "$TESTBED_HOME/lib/host-init.sh" "$h" "$d" </dev/null >>"$d/log/boot.log" 2>&1
  for ((round = 0; round < 100; round++)); do
    find_anchor "$h" && apid=$(anchor_pid "$h") && break
    sleep 0.1
  done
  [ -n "$apid" ] || die "$h: did not boot within 10 s; see $d/log/boot.log"
  start_sshd "$h"
  forget_neighbour "$h"
}

# Finds the anchor by its argv0 and records its pid as the machine sees it (inside, it is 1).
find_anchor() {
  local h=$1 file pid
  for file in $(grep -lzx "slipway-host-$h" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid=${file#/proc/}
    pid=${pid%/cmdline}
    # The anchor's parent is unshare; a child forked by the anchor briefly has the same argv0.
    [ "$(ps -o comm= -p "$(ps -o ppid= -p "$pid" | tr -d ' ')" 2>/dev/null)" = unshare ] || continue
    echo "$pid" >"$(host_dir "$h")/run/anchor.pid"
    anchor_pid "$h" >/dev/null && return 0
  done
  return 1
}

# Forgets failed address lookups of the host in the lab and on every host, so that it is
# reachable again at once after its link or power comes back (as after a gratuitous ARP).
forget_neighbour() {
  local h=$1 address other
  address=$(host_address "$h")
  ip -n "$LAB_NS" neigh flush to "$address" 2>/dev/null || true
  for other in $(existing_hosts); do
    ip -n "$(host_ns "$other")" neigh flush to "$address" 2>/dev/null || true
  done
}

# Powers a host off: every process of it killed, its network card down. Its "disk" stays.
power_off_host() {
  local h=$1 d
  d=$(host_dir "$h")
  kill_all host_pids "$h"
  ip -n "$(host_ns "$h")" link set eth0 down 2>/dev/null || true
  rm -f "$d/run/anchor.pid" "$d/run/mntns"
}

# The host key that known_hosts lists: the original one while a rekey is in force.
canonical_host_key() {
  local d
  d=$(host_dir "$1")/ssh
  if [ -f "$d/ssh_host_ed25519_key.orig.pub" ]; then cat "$d/ssh_host_ed25519_key.orig.pub"; else cat "$d/ssh_host_ed25519_key.pub"; fi
}

write_known_hosts() {
  local h tmp
  tmp=$(mktemp "$KNOWN_HOSTS.XXXXXX")
  for h in $(existing_hosts); do
    [ -f "$(host_dir "$h")/ssh/ssh_host_ed25519_key.pub" ] || continue
    echo "$(host_address "$h") $(canonical_host_key "$h" | awk '{print $1, $2}')" >>"$tmp"
  done
  chmod 0644 "$tmp"
  mv -f "$tmp" "$KNOWN_HOSTS"
}
