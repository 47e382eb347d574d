#!/bin/sh
# PID 1 of the UML guest started by run.sh. The root filesystem is the host's /, read-only.
# $1 = the exchange directory on the host: env.sh and command.sh in; stdout, stderr, status out.
#
# dash, not busybox sh: busybox's own `ip` applet would shadow iproute2. Busybox is called by full
# path only, for what the read-only root cannot do otherwise (insmod without modprobe, poweroff).
busybox=/bin/busybox
exchange=$1
fail() { echo "uml guest: $*" >&2; $busybox poweroff -f; }

$busybox mount -t proc proc /proc
$busybox mount -t sysfs sys /sys
$busybox mount -t tmpfs -o mode=755 run /run
$busybox mount -t tmpfs -o mode=1777 tmp /tmp
$busybox mkdir -p /run/exchange
$busybox mount -t hostfs -o "$exchange" hostfs /run/exchange || fail "cannot mount $exchange"
. /run/exchange/env.sh
exec >/run/exchange/stdout 2>/run/exchange/stderr
# Host folders the command may write, at their own path (after /tmp: a share may live under it).
for dir in $shares; do
  $busybox mkdir -p "$dir" 2>/dev/null
  $busybox mount -t hostfs -o "$dir" hostfs "$dir" || echo "uml guest: cannot share $dir" >&2
done

# The CAN modules of the UML kernel. No /lib/modules for this kernel on the host, so no modprobe
# and no auto-loading: load them all, dependencies first (newer kernels build some in: those are
# not there to load). $CANKIT_UML_MODULES names them for a kernel from tests/uml/ensure-kernel.sh.
modules=${CANKIT_UML_MODULES:-/usr/lib/uml/modules/$($busybox uname -r)/kernel}
for module in net/can/can.ko net/can/can-raw.ko net/can/can-bcm.ko net/can/can-gw.ko \
  drivers/net/can/dev/can-dev.ko drivers/net/can/vcan.ko drivers/net/can/vxcan.ko; do
  [ -f "$modules/$module" ] || continue
  $busybox insmod "$modules/$module" || echo "uml guest: insmod $module failed" >&2
done
ip link set lo up
for dev in vcan0 vcan1; do
  ip link add dev $dev type vcan && ip link set $dev mtu 72 && ip link set $dev up
done

cd "$workdir" || fail "no directory $workdir"
/bin/sh /run/exchange/command.sh </dev/null
echo $? >/run/exchange/status
$busybox sync
$busybox poweroff -f
