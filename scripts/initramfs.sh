#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the guest's initramfs: busybox, guest/init, the guest programs of
# guest/*.c, the example of the patched ioctl_userfaultfd(2) and the
# selftests named in guest/tests.
. "$(dirname "$0")/lib.sh"

BUSYBOX=/bin/busybox
[ -z "$CROSS" ] || BUSYBOX=$SYSROOT/bin/busybox
# The guest has no libraries: busybox must be the static one.
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	die "$BUSYBOX is missing or not statically linked: install busybox-static (make deps)"
HDR=$OBJ/usr/include
ROOT=$B/initramfs-$FLAVOUR.d
OUT=$B/initramfs-$FLAVOUR.cpio.gz

stage initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,etc/rwp,proc,sys,dev,tmp,tests}
cp "$BUSYBOX" "$ROOT/bin/busybox"
# The applets: the host's busybox lists them (the same Debian version).
for applet in $(/bin/busybox --list); do
	[ -e "$ROOT/bin/$applet" ] || ln -s busybox "$ROOT/bin/$applet"
done
cp "$TOP/guest/init" "$ROOT/init"
tests_for_arch >"$ROOT/etc/rwp/tests"

for c in "$TOP"/guest/*.c; do
	[ -e "$c" ] || continue
	name=rwp-$(basename "$c" .c)
	run_logged "$LOGS/guest-build.log" ccache "$GUEST_CC" -O2 -Wall -Wextra -Werror \
		-static -isystem "$HDR" -o "$ROOT/tests/$name" "$c" -luring -lpthread
done
# The EXAMPLES program of the patched ioctl_userfaultfd(2) (man/): rwp-NAME
# from its NAME.c, built like those of guest/.
rm -rf "$B/man-example"
examples=$("$TOP/scripts/man.sh" example "$B/man-example")
for c in $examples; do
	name=rwp-$(basename "$c" .c)
	run_logged "$LOGS/guest-build.log" ccache "$GUEST_CC" -O2 -Wall -Wextra -Werror \
		-static -isystem "$HDR" -o "$ROOT/tests/$name" "$c" -lpthread
done
missing=
for prog in $(test_programs); do
	case $prog in /*) continue ;; esac	# a program of the guest's own
	if [ -x "$ST/$prog" ]; then
		cp "$ST/$prog" "$ROOT/tests/"
	elif [ ! -x "$ROOT/tests/$prog" ]; then
		missing="$missing $prog"
	fi
done
[ -z "$missing" ] || die "$TESTS names programs that were not built:$missing"

(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$OUT"
stage_done "$(du -h "$OUT" | cut -f1)"
