#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bisectability: build every commit base..HEAD of the work tree $TREE
# (default ./linux) in three configurations, and compile the C files each
# commit touches with W=1, comparing warnings with the parent commit.
#   x86_64  tinyconfig + config/{base,x86_64}.config (the test machine, no debug)
#   nouffd  the same with CONFIG_USERFAULTFD=n
#   i386    ARCH=i386 tinyconfig + CONFIG_USERFAULTFD=y (RWP compiles out)
# and the last commit also in
#   arm64   ARCH=arm64 tinyconfig + config/{base,arm64}.config (cross)
# QUICK=1 builds only the objects of the C files each commit touches, and
# the whole vmlinux for the last commit.
. "$(dirname "$0")/lib.sh"

TREE=${TREE:-$TOP/linux}
CONFIGS=${CONFIGS:-x86_64 nouffd i386}
LAST_CONFIGS=${LAST_CONFIGS-arm64}
case " $LAST_CONFIGS " in *" arm64 "*)
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		die "aarch64-linux-gnu-gcc missing: ARCH=arm64 make deps (or LAST_CONFIGS= to leave arm64 out)" ;;
esac
WT=$B/each
[ -d "$TREE" ] || die "$TREE missing: make tree first"
git -C "$BASE_REPO" worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
git -C "$BASE_REPO" worktree prune
git -C "$BASE_REPO" worktree add -q --detach "$WT" base

kmake() {	# kmake CFG ARGS...
	local cfg=$1; shift
	local arch=x86_64 cross=
	[ "$cfg" = i386 ] && arch=i386
	[ "$cfg" = arm64 ] && arch=arm64 cross=aarch64-linux-gnu-
	make -C "$WT" O="$B/each-$cfg" ARCH=$arch CROSS_COMPILE=$cross \
		CC="ccache ${cross}gcc" -j"$JOBS" "$@"
}

configure() {
	local cfg=$1 o=$B/each-$1
	mkdir -p "$o"
	kmake "$cfg" tinyconfig >/dev/null
	case $cfg in
	x86_64|arm64) "$WT/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" \
			"$TOP/config/base.config" "$TOP/config/$cfg.config" >/dev/null ;;
	nouffd) printf 'CONFIG_USERFAULTFD=n\n' >"$o/extra.config"
		"$WT/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" \
			"$TOP/config/base.config" "$TOP/config/x86_64.config" \
			"$o/extra.config" >/dev/null ;;
	i386)	printf 'CONFIG_USERFAULTFD=y\nCONFIG_TRANSPARENT_HUGEPAGE=y\n' >"$o/extra.config"
		"$WT/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" \
			"$o/extra.config" >/dev/null ;;
	esac
	kmake "$cfg" olddefconfig >/dev/null
}

fail=0
last=$(git -C "$TREE" rev-parse HEAD)
for c in $(git -C "$TREE" rev-list --reverse base..HEAD); do
	subject=$(git -C "$TREE" log -1 --format=%s "$c")
	git -C "$WT" checkout -q --detach "$c"
	cfgs=$CONFIGS targets=vmlinux
	[ "$c" = "$last" ] && cfgs="$CONFIGS $LAST_CONFIGS"
	if [ "${QUICK:-0}" = 1 ] && [ "$c" != "$last" ]; then
		# Only the objects this commit touches, in the test config.
		cfgs=x86_64
		targets=$(git -C "$TREE" diff --name-only "$c^" "$c" -- '*.c' |
			  grep -v -e '^tools/' -e '^Documentation/' |
			  sed 's/\.c$/.o/' || true)
	fi
	for cfg in $cfgs; do
		[ -n "$targets" ] || continue
		stage "$cfg"
		configure "$cfg"
		if ! kmake "$cfg" $targets >"$LOGS/each-$cfg.log" 2>&1; then
			grep -E 'error|Error' "$LOGS/each-$cfg.log" | head -n 20
			echo "FAIL: $subject ($cfg)"
			fail=1
		fi
		stage_done "$subject"
	done
	# W=1 on the C files this commit touches, against its parent.
	files=$(git -C "$TREE" diff --name-only "$c^" "$c" -- '*.c' | grep -v '^tools/' || true)
	for f in $files; do
		o=${f%.c}.o
		rm -f "$B/each-x86_64/$o"
		new=$(kmake x86_64 W=1 "$o" 2>&1 | grep -c ' warning: ' || true)
		git -C "$WT" checkout -q --detach "$c^"
		rm -f "$B/each-x86_64/$o"
		old=$(kmake x86_64 W=1 "$o" 2>&1 | grep -c ' warning: ' || true)
		rm -f "$B/each-x86_64/$o"
		git -C "$WT" checkout -q --detach "$c"
		if [ "$new" -gt "$old" ]; then
			echo "FAIL: $subject: $f has $new W=1 warnings, $old before"
			fail=1
		fi
	done
done
git -C "$BASE_REPO" worktree remove --force "$WT"
[ $fail = 0 ] && echo "every commit builds in: $CONFIGS; the last also in: $LAST_CONFIGS"
exit $fail
