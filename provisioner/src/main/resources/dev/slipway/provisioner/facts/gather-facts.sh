# Gathers a host's facts for Slipway's preflight. Reads only. Prints key=value lines.
root="${SLIPWAY_ROOT:-}"
( [ -r /etc/os-release ] && . /etc/os-release && printf 'os=%s\nos_id=%s\n' "${PRETTY_NAME:-$NAME}" "$ID" )
printf 'arch=%s\nkernel=%s\n' "$(uname -m)" "$(uname -r)"
printf 'cpus=%s\n' "$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo)"
awk '/^MemTotal:/ { print "mem_kib=" $2 }' /proc/meminfo 2>/dev/null
# Free disk under the data path: measure the nearest folder that exists.
d="$root/var/lib/slipway"
while [ ! -d "$d" ] && [ "$d" != "/" ] && [ -n "$d" ]; do d=$(dirname "$d"); done
[ -n "$d" ] || d=/
printf 'disk_path=%s\n' "$d"
df -Pk "$d" 2>/dev/null | awk 'NR == 2 { print "disk_free_kib=" $4 }'
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then echo init=systemd; else echo init=none; fi
pidfile="$root/var/lib/slipway/agent.pid"
if [ -f "$pidfile" ] && pid=$(cat "$pidfile" 2>/dev/null) && [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
  echo slipway_running=yes
fi
for t in sh sha256sum tar ss; do
  p=$(command -v "$t" 2>/dev/null) && printf 'tool_%s=%s\n' "$t" "$p"
done
[ -r /proc/net/tcp ] && echo proc_net_tcp=yes
if command -v ss >/dev/null 2>&1; then
  ss -Htln 2>/dev/null | awk '{ print "listen=" $4 }'
else
  # st 0A is LISTEN
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { print "proc_listen=" $2 }'
fi
# Java runtimes: JAVA_HOME, PATH, /usr/lib/jvm; the release file names the version without starting a JVM.
for j in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" /usr/lib/jvm/*/bin/java; do
  [ -n "$j" ] && [ -x "$j" ] || continue
  real=$(readlink -f "$j" 2>/dev/null || echo "$j")
  home=$(dirname "$(dirname "$real")")
  v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" 2>/dev/null | head -n 1)
  [ -n "$v" ] || v=$("$real" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  [ -n "$v" ] && printf 'java=%s %s\n' "$real" "$v"
done
exit 0
