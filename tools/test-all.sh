#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need when it is missing
# (Debian packages for the User-Mode Linux SocketCAN tests, can-utils, tzdata for the time-zone tests,
# chromium for canserver's web page, tmux for the repl's terminal tests, systemd and man-db for
# systemd-analyze verify on contrib/systemd, a Python venv under
# target/venv with python-can, msgpack, python-can-remote, caneth, can-waveshare and canopen from PyPI, target/venv-pc2 with
# python-can 2.0.0a2, the C peers (socketcand, cannelloni, canopend/cocomm) built by ../shared/peers/build-peers.sh into
# target/peers), then checks formatting and lints and runs
# every test. In CI (CI=true) a test whose peer is missing fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v linux.uml >/dev/null || need+=(user-mode-linux)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v candump >/dev/null || need+=(can-utils)
command -v ip >/dev/null || need+=(iproute2)
command -v patchelf >/dev/null || need+=(patchelf)
[ -e /usr/share/zoneinfo/Asia/Kolkata ] || need+=(tzdata)
command -v chromium >/dev/null || need+=(chromium)
command -v tmux >/dev/null || need+=(tmux)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v man >/dev/null || need+=(man-db)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-all: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A UML kernel that boots on this CPU (Debian bookworm's does not where the CPU has AMX).
# (An assignment, so that set -e stops here when no kernel boots: `eval "$(…)"` would not.)
uml_env=$(tests/uml/ensure-kernel.sh)
eval "$uml_env"

venv=target/venv
if ! "$venv/bin/python" -c 'import can, msgpack' 2>/dev/null; then
  echo "test-all: creating $venv with python-can and msgpack"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "python-can>=4,<5" "msgpack>=1"
fi
"$venv/bin/python" -c 'import can; print("test-all: python-can", can.__version__)'
# python-can-remote 0.3 (WebSocket remote protocol, both ways against canserver and cankit).
if ! "$venv/bin/python" -c 'import can_remote.version as v; assert v.__version__.startswith("0.3")' 2>/dev/null; then
  echo "test-all: installing python-can-remote 0.3.0 into $venv"
  "$venv/bin/pip" install -q "python-can-remote==0.3.0"
fi
# The Python caneth client (the seed's) and the can-waveshare python-can backend, against caneth.
if ! "$venv/bin/python" -c 'import caneth, can_waveshare' 2>/dev/null; then
  echo "test-all: installing caneth 0.3.2 and can-waveshare 0.1.0 into $venv"
  "$venv/bin/pip" install -q "caneth==0.3.2" "can-waveshare==0.1.0"
fi
# python canopen 2.4, the master canopen-node is tested against.
if ! "$venv/bin/python" -c 'import canopen; assert canopen.__version__.startswith("2.4")' 2>/dev/null; then
  echo "test-all: installing canopen 2.4 into $venv"
  "$venv/bin/pip" install -q "canopen>=2.4,<2.5"
fi
# python-can 2.0.0a2, the release whose remote protocol canserver speaks, in a venv of its own.
venv2=target/venv-pc2
if ! "$venv2/bin/python" -c 'import can, can.interfaces.remote; assert can.__version__.startswith("2.0")' 2>/dev/null; then
  echo "test-all: creating $venv2 with python-can 2.0.0a2"
  rm -rf "$venv2"
  python3 -m venv "$venv2"
  "$venv2/bin/pip" install -q "python-can==2.0.0a2"
fi
# The C peers, built from source snapshots: socketcand and socketcandcl, cannelloni, CANopenNode's
# canopend and cocomm.
missing_peer=
for peer in socketcand socketcandcl cannelloni canopend cocomm; do
  [ -x "target/peers/bin/$peer" ] || missing_peer=$peer
done
if [ -n "$missing_peer" ]; then
  echo "test-all: building the C peers into target/peers"
  ../shared/peers/build-peers.sh target/peers >/dev/null
fi

cargo fmt --check
cargo clippy --all-targets -- -D warnings
# The library without the command line (no clap): what `default-features = false` users build.
cargo clippy --no-default-features --lib -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --no-fail-fast --all-targets 2>&1 | tee "$log"
# The examples in the documentation (the library overview records and replays a bus).
cargo test --doc 2>&1 | tee -a "$log"
# One closing line for the whole suite (cargo prints one per test binary, the last of which may
# be a binary without tests).
awk '/^test result:/ { p += $4; f += $6 } END { printf "cankit: %d passed, %d failed\n", p, f }' "$log"
