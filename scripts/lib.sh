# SPDX-License-Identifier: GPL-2.0
# Common helpers for the harness scripts.  Sourced, not executed.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$TOP/build}
BASE_REPO=${SRC_TREE:-$B/base}	# git repo: the pinned base as one commit, tag "base"
JOBS=${JOBS:-$(nproc)}
if [ "${FAST:-0}" = 1 ]; then FLAVOUR=fast; else FLAVOUR=debug; fi
# ARCH=arm64 cross-builds everything and boots qemu-system-aarch64 -M virt;
# its outputs get their own directories (build/obj-arm64-debug, ...).
case ${ARCH:-x86_64} in
x86_64|x86)
	ARCH=x86_64 CROSS= IMAGE=arch/x86/boot/bzImage ;;
arm64|aarch64)
	ARCH=arm64 CROSS=aarch64-linux-gnu- IMAGE=arch/arm64/boot/Image
	FLAVOUR=arm64-$FLAVOUR ;;
*)	echo "error: ARCH=$ARCH: x86_64 or arm64" >&2; exit 1 ;;
esac
# The guest's static libraries and busybox for a foreign architecture:
# Debian's packages, unpacked here by scripts/deps.sh.
SYSROOT=$B/sysroot-$ARCH
# SRC_TREE=dir builds and tests a work tree as it is (make check-tree);
# its outputs get their own directories.
[ -n "${SRC_TREE:-}" ] && FLAVOUR=tree-$FLAVOUR
OBJ=$B/obj-$FLAVOUR		# kernel build output (O=)
ST=$B/selftests-$FLAVOUR	# selftest binaries
LOGS=$B/logs-$FLAVOUR
mkdir -p "$B" "$LOGS"

export CCACHE_DIR=${CCACHE_DIR:-${HOME:-/root}/.cache/ccache}
# Paths below the checkout are hashed relative to it, so a fresh clone
# elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-2025-01-01}
export KBUILD_BUILD_USER=rwp KBUILD_BUILD_HOST=harness

_stage_name=
_stage_t0=0

die() { echo "error: $*" >&2; exit 1; }
warn() { echo "warning: $*" >&2; }

# stage NAME: announce a stage; stage_done prints its elapsed time.
stage() {
	_stage_name=$1
	_stage_t0=$(date +%s)
	printf '[%s] %-10s ...\n' "$(date +%T)" "$_stage_name"
}
stage_done() {
	printf '[%s] %-10s done in %ss%s\n' "$(date +%T)" "$_stage_name" \
		$(( $(date +%s) - _stage_t0 )) "${1:+ ($1)}"
}

# run_logged LOG CMD...: run a command with output in LOG; on failure
# show the tail of the log and stop.
run_logged() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		echo "---- last 40 lines of $log ----" >&2
		tail -n 40 "$log" >&2
		die "'$*' failed (full log: $log)"
	fi
}

# The C compiler for the guest's programs (static): for a foreign
# architecture a wrapper that adds the sysroot's liburing and libnuma.
if [ -z "$CROSS" ]; then GUEST_CC=gcc; else GUEST_CC=$SYSROOT/bin/cc; fi

# The guest's test list (guest/tests format, see there); TESTS= replaces it.
TESTS=${TESTS:-$TOP/guest/tests}
[ -f "$TESTS" ] || die "TESTS=$TESTS: no such file"

# The test list for $ARCH: a NAME@ARCH line only runs on ARCH (soft-dirty:
# x86-64 only), and is written without the suffix.
tests_for_arch() {
	sed -e 's/#.*//' "$TESTS" | awk -v arch="$ARCH" '
		!NF { next }
		{ n = split($1, a, "@") }
		n == 2 && a[2] != arch { next }
		{ sub(/@[^ ]*/, "", $1); print }'
}

# The programs the test list runs (third field), each once.
test_programs() {
	tests_for_arch | awk '{print $3}' | sort -u
}

# Fill the array SERIES with the series' patch files, in order.
load_series() {
	local f
	SERIES=()
	[ -f "$TOP/patches/series" ] || die "patches/series missing"
	while read -r f; do
		f=${f%%#*}
		f=${f%"${f##*[![:space:]]}"}
		[ -n "$f" ] || continue
		[ -f "$TOP/patches/$f" ] || die "patches/series names $f, which does not exist"
		SERIES+=("$TOP/patches/$f")
	done <"$TOP/patches/series"
}
