# Runs as the first process of a testbed host, already in its new mount and UTS namespaces:
# gives the host its name, its own folders and /tmp, then stays as the anchor that holds them.
# Usage (by testbed/lib/common.sh boot_host only): host-init.sh HOST HOST_DIR
set -euo pipefail
host=$1
dir=$2
hostname "$host"
for folder in /etc/slipway /var/lib/slipway /opt/slipway /var/log/slipway; do
  mkdir -p "$folder" "$dir/disk$folder"
  mount --bind "$dir/disk$folder" "$folder"
done
mount -t tmpfs -o mode=1777 "tmp-$host" /tmp
mkdir -p /run/sshd
chmod 0755 /run/sshd
readlink /proc/self/ns/mnt | tr -dc '0-9' >"$dir/run/mntns"
echo $$ >"$dir/run/anchor.pid"
cd /root
exec -a "slipway-host-$host" sleep infinity
