#!/bin/bash
# Run one command inside a User-Mode Linux guest that has a real kernel CAN stack, for tests on
# machines whose own kernel has no CAN (see tests/uml/README.md).
#
#   tests/uml/run.sh [--timeout SECS] [--share DIR]... [--] COMMAND [ARG...]
#
# The guest sees the host's / read-only (so host binaries, can-utils and cargo-built test binaries
# run unchanged), the repository and every --share DIR read-write at the same path, and a fresh
# tmpfs on /tmp. It has vcan0 and vcan1 up with MTU 72 (CAN FD). COMMAND runs as root in the
# current directory; its stdout and stderr are printed here when the guest has stopped, and its
# exit status is ours. 124 = timed out, 125 = the harness itself failed.
#
# Needs: linux.uml (user-mode-linux), /bin/busybox (busybox-static), can-utils, iproute2.
# Also usable as a cargo runner: CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER=tests/uml/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout_secs=${UML_TIMEOUT:-60}
shares="$repo"
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout_secs=$2; shift 2 ;;
    --share) shares="$shares $(cd "$2" && pwd)"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "usage: $0 [--timeout SECS] [--share DIR]... [--] COMMAND [ARG...]" >&2
  exit 125
fi
# The kernel: Debian's linux.uml, or the one ensure-kernel.sh prepared where that one cannot boot.
kernel=${CANKIT_UML_KERNEL:-linux.uml}
if ! command -v "$kernel" >/dev/null || [ ! -x /bin/busybox ] || ! command -v candump >/dev/null; then
  echo "uml: needs linux.uml, /bin/busybox and can-utils:" \
    "apt-get install --no-install-recommends user-mode-linux busybox-static can-utils iproute2" >&2
  exit 125
fi

# The exchange directory carries the command in and status and output out. Its path, like the
# shares, goes through the kernel command line or a sourced file, which do not survive spaces.
exchange=$(mktemp -d "${TMPDIR:-/tmp}/cankit-uml.XXXXXX") || exit 125
trap 'rm -rf "$exchange"' EXIT
for path in "$here" "$exchange" $shares; do
  case "$path" in *[!A-Za-z0-9_./+@:=,-]*)
    echo "uml: unsupported character in path '$path' (kernel command line)" >&2; exit 125 ;;
  esac
done

# POSIX single quoting: the guest runs these files with dash, which has no $'...'.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
  echo "shares=$(quote "$shares")"
  echo "workdir=$(quote "$PWD")"
  env | grep -E '^(PATH|HOME|USER|LANG|TERM|CI|RUST_[A-Z_]+|CARGO[A-Z_]*|CANKIT_[A-Z0-9_]+)=' |
    while IFS='=' read -r name value; do echo "export $name=$(quote "$value")"; done
} >"$exchange/env.sh"
{
  printf 'exec'
  for arg in "$@"; do printf ' %s' "$(quote "$arg")"; done
  printf '\n'
} >"$exchange/command.sh"

# All consoles to /dev/null (UML_DEBUG=1 shows the kernel's on stderr): output travels through
# files in the exchange directory, so there is no tty to translate newlines and no pipe a left-over
# background process could hold open.
console=null
kernel_log=quiet
if [ "${UML_DEBUG:-0}" = 1 ]; then console=fd:2; kernel_log="loglevel=7"; fi
# timeout(1) runs the guest in its own process group, out of reach of whoever kills ours
# (Ctrl-C, a test harness timeout): forward those signals to it by hand.
timeout -k 5 "$timeout_secs" "$kernel" mem=256M root=/dev/root rootfstype=hostfs rootflags=/ ro \
  $kernel_log con=null "con0=null,$console" ssl=null \
  init="$here/guest-init.sh" -- "$exchange" </dev/null >/dev/null &
guest=$!
trap 'kill -TERM $guest 2>/dev/null; wait $guest; rm -rf "$exchange"; exit 130' INT TERM HUP
wait $guest
guest_status=$?

cat "$exchange/stdout" 2>/dev/null
cat "$exchange/stderr" >&2 2>/dev/null
if [ -f "$exchange/status" ]; then
  exit "$(cat "$exchange/status")"
fi
if [ $guest_status -eq 124 ]; then
  echo "uml: timed out after ${timeout_secs}s" >&2
  exit 124
fi
echo "uml: the guest reported no exit status ($kernel exited with $guest_status); rerun with UML_DEBUG=1" >&2
exit 125
