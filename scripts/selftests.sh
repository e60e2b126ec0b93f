#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the mm selftests the guest runs, statically linked, against the
# patched tree's UAPI headers: those the test list ($TESTS) runs.
. "$(dirname "$0")/lib.sh"

MM=$BASE_REPO/tools/testing/selftests/mm
HDR=$OBJ/usr/include
[ -d "$HDR/linux" ] || die "$HDR missing: build the kernel first"

bins=$(test_programs)
targets=
for b in $bins; do
	[ -f "$MM/$b.c" ] && targets="$targets $ST/$b"
done

stage selftests
mkdir -p "$ST"
# check_config.sh probes for liburing (cow, gup_longterm and uffd-rwp-paths
# use it) with $(CC) as one word, so CC must not be "ccache gcc".  Redo a
# probe that missed the installed library.
if [ -e "${CROSS:+$SYSROOT}/usr/include/liburing.h" ] &&
   grep -qs "No liburing" "$MM/local_config.h"; then
	rm -f "$MM/local_config.h" "$MM/local_config.mk"
fi
STMAKE=(make -C "$MM" OUTPUT="$ST" CC="$GUEST_CC" LDFLAGS=-static
	KHDR_INCLUDES="-isystem $HDR" -j"$JOBS")
[ -z "$CROSS" ] || STMAKE+=(ARCH="$ARCH" CROSS_COMPILE="$CROSS")
# khugepaged.c in 6.12.117 uses KSFT_SKIP without including kselftest.h.
khp=
case " $targets " in *" $ST/khugepaged "*)
	targets=${targets/ $ST\/khugepaged/}
	khp=$ST/khugepaged ;;
esac
# No targets (a test list of guest programs only): build nothing, not
# the Makefile's default of every test.
[ -z "$targets" ] || run_logged "$LOGS/selftests-build.log" "${STMAKE[@]}" $targets
if [ -n "$khp" ]; then
	run_logged "$LOGS/selftests-khugepaged.log" "${STMAKE[@]}" \
		EXTRA_CFLAGS="-include $MM/../kselftest.h" "$khp"
fi
stage_done "$(echo $bins | wc -w) programs"
