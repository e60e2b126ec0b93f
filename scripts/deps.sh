#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install (as root) or name (otherwise) the Debian packages the harness uses.
# Usage: deps.sh [--check]   --check only reports, exit 1 if anything is missing.
# With ARCH=arm64 also the cross compiler, qemu-system-aarch64 and, unpacked
# into build/sysroot-arm64, Debian's arm64 liburing, libnuma and busybox.
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 qemu-system-x86 busybox-static ccache gcc make git
      flex bison bc libelf-dev libssl-dev cpio xz-utils gzip rsync
      liburing-dev libnuma-dev libc6-dev python3 perl file gnuplot-nox
      manpages-dev mandoc groff patch bsdextrautils"
[ "$ARCH" = arm64 ] && PKGS="$PKGS gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"
# The guest's libraries (static) and busybox, for a foreign architecture
FOREIGN="liburing-dev libnuma-dev busybox-static"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
need_sysroot=0
[ -n "$CROSS" ] && [ ! -f "$SYSROOT/.done" ] && need_sysroot=1
[ -z "$missing" ] && [ $need_sysroot = 0 ] && exit 0
if [ "${1:-}" = --check ]; then
	[ -z "$missing" ] || echo "missing packages:$missing"
	[ $need_sysroot = 0 ] || echo "missing: $SYSROOT"
	exit 1
fi

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages or the $ARCH sysroot; run as root:" >&2
	echo "  ARCH=$ARCH make deps" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	stage deps
	echo "installing:$missing"
	run_logged "$LOGS/deps.log" sh -c "apt-get update && $line"
	stage_done
fi
if [ $need_sysroot = 1 ]; then
	stage sysroot
	dl=$B/sysroot-$ARCH.debs
	rm -rf "$SYSROOT" "$dl"
	mkdir -p "$SYSROOT/bin" "$dl"
	if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
		dpkg --add-architecture "$ARCH"
		run_logged "$LOGS/deps.log" apt-get update
	fi
	# apt-get download runs as _apt where it can: give it the directory.
	chmod 777 "$dl"
	(cd "$dl" && run_logged "$LOGS/deps.log" \
		apt-get download $(printf "%s:$ARCH " $FOREIGN))
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$SYSROOT"
	done
	# One word for $(CC): the selftests' check_config.sh probes with it.
	cat >"$SYSROOT/bin/cc" <<-EOF
	#!/bin/sh
	exec ${CROSS}gcc -isystem "$SYSROOT/usr/include" \\
		-L"$SYSROOT/usr/lib/aarch64-linux-gnu" "\$@"
	EOF
	chmod +x "$SYSROOT/bin/cc"
	"$SYSROOT/bin/busybox" --help >/dev/null 2>&1 ||
		file -L "$SYSROOT/bin/busybox" | grep -q 'statically linked' ||
		die "no static busybox in $SYSROOT"
	touch "$SYSROOT/.done"
	stage_done "$(cd "$dl" && ls | tr '\n' ' ')"
fi
