#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Summarise logs/results.log (per-test TAP or uffd-unit-tests counts, exit
# status, time) and scan logs/console.log for kernel splats.  Prints the
# final "N passed, N failed, N skipped" line; exits 1 on any failure.
. "$(dirname "$0")/lib.sh"

RESULTS=$LOGS/results.log
CONSOLE=$LOGS/console.log
[ -f "$RESULTS" ] || die "$RESULTS missing: run the tests first"

stage report
printf '%-24s %6s %6s %6s %6s  %s\n' test pass skip fail secs status
awk -f "$TOP/scripts/report.awk" "$RESULTS" 2>"$LOGS/counts"
read -r passed failed skipped <"$LOGS/counts"

# Tests that failed once and were retried: always listed.
if grep -q '^# rwp: failed-attempt [^ ]* rc=' "$RESULTS"; then
	echo "RETRIED after a failure (the table shows the retry; the failed attempt is in $RESULTS):"
	sed -n 's/^# rwp: failed-attempt \([^ ]*\) \(rc=.*\)/  \1 \2/p' "$RESULTS"
fi

# Kernel log: any warning, bug, oops, KASAN or lockdep report fails the run.
SPLAT='WARNING:|BUG:|Oops|Kernel panic|KASAN:|UBSAN:|possible (recursive|circular) locking|inconsistent lock state|lockdep (is turned off|recursion)|suspicious RCU usage|INFO: task .* blocked|general protection fault|RCU stall|self-detected stall|Call [Tt]race:|Unable to handle kernel|Internal error:'
splats=$(grep -E -c "$SPLAT" "$CONSOLE" || true)
if [ "$splats" != 0 ]; then
	echo "kernel log has $splats suspicious lines ($CONSOLE):"
	grep -E -m 20 -B 2 -A 20 "$SPLAT" "$CONSOLE" | head -n 80
	failed=$((failed + 1))
fi
stage_done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
