#!/usr/bin/env bash
# Makes sure a User-Mode Linux kernel boots on this machine, and prints the environment that
# selects it (nothing when Debian's own kernel does). Called by tools/test-all.sh:
#
#   eval "$(tests/uml/ensure-kernel.sh)"
#
# Debian bookworm's UML kernel (6.1), and trixie's (6.12), die at the first process on hosts whose
# CPUs have AMX ("userspace - ptrace set fp regs failed, errno = 14": their XSAVE area is larger
# than the kernel's FP buffer). Debian unstable's user-mode-linux package boots there. When the
# installed kernel does not boot, that package and the C library it needs are fetched from Debian
# into target/uml-sid (a private apt configuration: the system's sources are not touched),
# unpacked, and the kernel's ELF interpreter is pointed at that C library (UML must be exec'd
# directly: run through ld.so it misplaces its memory). run.sh then starts $CANKIT_UML_KERNEL and
# the guest loads its modules from $CANKIT_UML_MODULES.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ -z "${CANKIT_UML_KERNEL:-}" ] && "$here/run.sh" --timeout 60 true >/dev/null 2>&1; then
  exit 0
fi
dir=$repo/target/uml-sid
if [ ! -x "$dir/linux.uml" ]; then
  echo "uml: the installed UML kernel does not boot here; fetching Debian unstable's into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/debs" "$dir/root"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main' \
    >"$dir/apt/sources.list"
  apt_private=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache" -o APT::Sandbox::User=root)
  apt-get "${apt_private[@]}" update -qq >&2
  (cd "$dir/debs" && apt-get "${apt_private[@]}" download user-mode-linux libc6 >&2)
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  cp "$dir/root/usr/bin/linux.uml" "$dir/linux.uml.part"
  libs=$dir/root/usr/lib/x86_64-linux-gnu
  patchelf --set-interpreter "$libs/ld-linux-x86-64.so.2" --set-rpath "$libs" "$dir/linux.uml.part"
  mv "$dir/linux.uml.part" "$dir/linux.uml"
fi
modules=$(find "$dir/root/usr/lib/uml/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)
echo "export CANKIT_UML_KERNEL=$dir/linux.uml CANKIT_UML_MODULES=$modules/kernel"
export CANKIT_UML_KERNEL=$dir/linux.uml CANKIT_UML_MODULES=$modules/kernel
if ! "$here/run.sh" --timeout 60 true >/dev/null; then
  echo "uml: Debian unstable's UML kernel does not boot here either (UML_DEBUG=1 tests/uml/run.sh true shows why)" >&2
  exit 1
fi
