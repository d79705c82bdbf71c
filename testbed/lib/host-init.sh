# Runs as PID 1 of a testbed host, already in its new PID, mount and UTS namespaces: gives the
# host its name, its own folders, /proc and /tmp, then stays as the anchor that holds them and
# reaps the orphans that the host's processes leave (as init does on a machine).
# Usage (by testbed/lib/common.sh boot_host only): host-init.sh HOST HOST_DIR
set -euo pipefail
host=$1
dir=$2
hostname "$host"
# Slipway's four folders, and a home and /var/tmp of its own, like any machine's.
for folder in /etc/slipway /var/lib/slipway /opt/slipway /var/log/slipway /root /var/tmp; do
  mkdir -p "$folder" "$dir/disk$folder"
  mount --bind "$dir/disk$folder" "$folder"
done
chmod 0700 /root
chmod 1777 /var/tmp
mount -t tmpfs -o mode=1777 "tmp-$host" /tmp
mkdir -p /run/sshd
chmod 0755 /run/sshd
readlink /proc/self/ns/mnt | tr -dc '0-9' >"$dir/run/mntns"
cd /root
# bash reaps every child that exits, adopted ones too, while it waits; argv0 names the host.
exec -a "slipway-host-$host" /bin/bash -c 'trap "exit 0" TERM; while :; do sleep infinity & wait $!; done'
