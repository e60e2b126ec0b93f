#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the built kernel under QEMU (TCG).
#   boot.sh check   run guest/tests; console -> logs/console.log,
#                   results -> logs/results.log; fails on hang or crash
#   boot.sh run     run the demonstration on this terminal
#                   (DEMO_ARGS="-s 256 -- -i 1000 -n 16": rwp-vmm's options);
#                   its CSV -> logs/demo.csv
#   boot.sh shell   interactive guest shell
#   boot.sh bench   run rwp-bench (BENCH_ARGS="-r 5 -s 64,256") and the
#                   demonstration's loop (LOOP_MS="250 500 1000", or none); table and
#                   JSON records -> logs/bench.log
. "$(dirname "$0")/lib.sh"

mode=${1:?mode}
KERNEL=$OBJ/$IMAGE
INITRD=$B/initramfs-$FLAVOUR.cpio.gz
[ -f "$KERNEL" ] || die "$KERNEL missing: build first"
[ -f "$INITRD" ] || die "$INITRD missing: build first"
case $ARCH in
x86_64)	QEMU_BIN=qemu-system-x86_64 ;;
arm64)	QEMU_BIN=qemu-system-aarch64 ;;
esac
command -v $QEMU_BIN >/dev/null || die "$QEMU_BIN missing (ARCH=$ARCH make deps)"

# Whole-run limits (seconds); the guest also limits every test.
case $mode in
check) LIMIT=${TIMEOUT:-3000} ;;
run)   LIMIT=${TIMEOUT:-900} ;;
shell) LIMIT=${TIMEOUT:-86400} ;;
bench) LIMIT=${TIMEOUT:-3000} ;;
*) die "unknown mode $mode" ;;
esac

# Three vCPUs (the migration selftest wants two threads besides the one
# that migrates) on two NUMA nodes of GUEST_NODE_MEM each (ACPI SRAT).
# "-cpu max" brings SVM, for KVM in the guest; without its 1 GiB pages,
# which the guest has no memory for: cow and gup_longterm would skip every
# case of a hugetlb size that has no free page.  X86_CPU=max with
# GUEST_APPEND="hugepagesz=1G hugepages=1" gives one (uffd-rwp-paths
# rwp_hsize.hugetlb_1g).
NODE_MEM=${GUEST_NODE_MEM:-2G}
case $ARCH in
x86_64)	APPEND="console=ttyS0" ;;
# arm64 also reserves a hugetlb page of each size it maps with other
# entries than a PMD (uffd-rwp-paths rwp_hsize): 64 KiB (contiguous PTEs),
# 32 MiB (contiguous PMDs), 1 GiB (a PUD).
arm64)	APPEND="console=ttyAMA0 rwp.out=/dev/hvc0 hugepagesz=64K hugepages=8"
	APPEND="$APPEND hugepagesz=32M hugepages=4 hugepagesz=1G hugepages=1" ;;
esac
APPEND="$APPEND panic=-1 rwp.mode=$mode ${GUEST_APPEND:-}"
# ICOUNT=N: QEMU's deterministic instruction counting (-icount shift=N)
# instead of the host clock; the guest records which clock it ran on.
ICOUNT_ARGS=()
if [ -n "${ICOUNT:-}" ]; then
	ICOUNT_ARGS=(-icount "shift=$ICOUNT,sleep=off")
	APPEND="$APPEND rwp.clock=icount"
fi
if [ "$mode" = run ] && [ -n "${DEMO_ARGS:-}" ]; then
	APPEND="$APPEND rwp.demo=$(echo "$DEMO_ARGS" | tr ' ' :)"
fi
if [ "$mode" = bench ]; then
	APPEND="$APPEND rwp.bench=$(echo "${BENCH_ARGS:-}" | tr ' ' :)"
	if [ -n "${LOOP_MS:-}" ]; then
		APPEND="$APPEND rwp.loop=$(echo "$LOOP_MS" | tr ' ' :)"
	fi
fi
# arm64: -M virt describes CPUs and nodes in its device tree; "-cpu max"
# with QEMU's cheaper pointer authentication.  KVM in that guest would
# need EL2 emulation; the demonstration runs threads there instead.
case $ARCH in
x86_64)	QEMU=(qemu-system-x86_64 -M pc -accel tcg -cpu "${X86_CPU:-max,pdpe1gb=off}") ;;
arm64)	QEMU=(qemu-system-aarch64 -M virt,gic-version=3 -accel tcg,thread=multi
	      -cpu max,pauth-impdef=on) ;;
esac
QEMU+=(-smp 3,sockets=3,cores=1,threads=1
      -m "$(( ${NODE_MEM%G} * 2 ))G"
      -object "memory-backend-ram,id=m0,size=$NODE_MEM"
      -object "memory-backend-ram,id=m1,size=$NODE_MEM"
      -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,cpus=2,memdev=m1
      -kernel "$KERNEL" -initrd "$INITRD" -display none -no-reboot
      "${ICOUNT_ARGS[@]}")

# chan FILE: the guest's results channel (rwp.out) into FILE: the second
# serial port, or on arm64 a virtio console.
chan() {
	case $ARCH in
	x86_64)	echo "-serial file:$1" ;;
	arm64)	echo "-device virtio-serial-device -chardev file,id=out,path=$1 -device virtconsole,chardev=out" ;;
	esac
}

if [ "$mode" = shell ]; then
	timeout --foreground "$LIMIT" "${QEMU[@]}" -append "$APPEND" \
		-serial mon:stdio -monitor none
	exit 0
fi
if [ "$mode" = run ]; then
	stage boot
	rc=0
	timeout --foreground "$LIMIT" "${QEMU[@]}" -append "$APPEND loglevel=4" \
		-serial mon:stdio $(chan "$LOGS/demo.csv") -monitor none \
		</dev/null | tee "$LOGS/run.log" ||
		rc=${PIPESTATUS[0]}
	[ "$rc" = 124 ] && die "guest did not finish within ${LIMIT}s"
	[ "$rc" = 0 ] || die "qemu exited with status $rc"
	grep -q '^# rwp: run ok' "$LOGS/run.log" ||
		die "the demonstration failed (log: $LOGS/run.log)"
	stage_done
	exit 0
fi

if [ "$mode" = bench ]; then
	stage bench
	echo "bench: $LOGS/bench.log, console: $LOGS/bench-console.log (limit ${LIMIT}s)"
	rc=0
	timeout "$LIMIT" "${QEMU[@]}" -append "$APPEND" -monitor none \
		-serial "file:$LOGS/bench-console.log" \
		$(chan "$LOGS/bench.log") </dev/null || rc=$?
	[ "$rc" = 124 ] && die "guest did not finish the benchmarks within ${LIMIT}s"
	[ "$rc" = 0 ] || die "qemu exited with status $rc"
	grep -q '^# rwp: bench ok' "$LOGS/bench.log" || {
		tail -n 20 "$LOGS/bench.log" >&2
		die "the benchmarks failed (log: $LOGS/bench.log)"
	}
	stage_done
	exit 0
fi

CONSOLE=$LOGS/console.log
RESULTS=$LOGS/results.log
: >"$CONSOLE"
: >"$RESULTS"
stage boot
echo "console: $CONSOLE, results: $RESULTS (limit ${LIMIT}s)"
timeout "$LIMIT" "${QEMU[@]}" -append "$APPEND" -monitor none \
	-serial "file:$CONSOLE" $(chan "$RESULTS") </dev/null &
qpid=$!
# Show progress: one line per finished test.
tail -n +1 -s 1 -f --pid=$qpid "$RESULTS" 2>/dev/null |
	sed -un 's/^# rwp: \(kernel .*\|end .*\|failed-attempt [^e].*\)/  \1/p' &
tpid=$!
rc=0
wait $qpid || rc=$?
wait $tpid 2>/dev/null || true

if ! grep -q '^# rwp: done' "$RESULTS"; then
	echo "---- last 40 lines of $CONSOLE ----" >&2
	tail -n 40 "$CONSOLE" >&2
	echo "---- last 20 lines of $RESULTS ----" >&2
	tail -n 20 "$RESULTS" >&2
	last=$(sed -n 's/^# rwp: running //p' "$RESULTS" | tail -n 1)
	if [ $rc = 124 ]; then
		die "guest hung: no result within ${LIMIT}s (last test started: ${last:-none})"
	fi
	die "guest stopped before the tests finished (qemu status $rc, last test started: ${last:-none})"
fi
[ $rc = 0 ] || die "qemu exited with status $rc"
stage_done
