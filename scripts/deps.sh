#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install (as root) or name (otherwise) the Debian packages the harness uses.
# Usage: deps.sh [--check]   --check only reports, exit 1 if anything is missing.
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 qemu-system-x86 busybox-static ccache gcc make git
      flex bison bc libelf-dev libssl-dev cpio xz-utils gzip rsync
      liburing-dev libnuma-dev libc6-dev python3 perl file gnuplot-nox
      manpages-dev mandoc groff patch bsdextrautils"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "${1:-}" = --check ] && { echo "missing packages:$missing"; exit 1; }

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages; run as root:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
stage deps
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
run_logged "$LOGS/deps.log" sh -c "apt-get update && $line"
stage_done
