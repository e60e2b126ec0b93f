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
awk '
function flush(   st) {
	if (name == "") return
	if (uffd) { pass = up; skip = us; fail = uf }
	else if (!tap) {
		if (rc == 0) pass = 1; else if (rc == 4) skip = 1; else fail = 1
	}
	if (plan > pass + skip + fail) { missing = plan - pass - skip - fail; fail += missing }
	st = "ok"
	if (rc >= 128 && secs >= limit) { st = "TIMEOUT"; if (!fail) fail = 1 }
	else if (rc >= 128) { st = "killed by signal " rc - 128; if (!fail) fail = 1 }
	else if (rc != 0 && rc != 4 && !fail) { st = "exit status " rc; fail = 1 }
	else if (fail) st = "FAILED"
	if (missing) st = st ", " missing " results missing"
	if (bail) st = st ", bailed out"
	printf "%-24s %6d %6d %6d %6d  %s\n", name, pass, skip, fail, secs, st
	P += pass; S += skip; F += fail
	name = ""
}
/^# rwp: start / { name = $4; pass = skip = fail = tap = uffd = plan = bail = missing = 0; next }
/^# rwp: end / {
	for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	rc = v["rc"]; secs = v["secs"]; limit = v["limit"]
	flush(); next
}
name == "" { next }
/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
/^(not )?ok [0-9]+/ {
	tap = 1
	if ($0 ~ /# *SKIP/) skip++
	else if ($1 == "not") { fail++; failed[++nf] = name ": " $0 }
	else pass++
	next
}
/^Bail out!/ { bail = 1; fail++; next }
/failed \[reason:/ { failed[++nf] = name ": " $0 }
/^Userfaults unit tests: pass=/ {
	uffd = 1; gsub(/[=,()]/, " ")
	for (i = 1; i <= NF; i++) {
		if ($i == "pass") up = $(i + 1)
		if ($i == "skip") us = $(i + 1)
		if ($i == "fail") uf = $(i + 1)
	}
}
END {
	if (name != "") { rc = 255; secs = 0; limit = 1; flush() }
	for (i = 1; i <= nf; i++) print "FAIL " failed[i]
	printf "%d %d %d\n", P, F, S > "/dev/stderr"
}' "$RESULTS" 2>"$LOGS/counts"
read -r passed failed skipped <"$LOGS/counts"

# Tests that failed once and were retried: always listed.
if grep -q '^# rwp: failed-attempt [^ ]* rc=' "$RESULTS"; then
	echo "RETRIED after a failure (the table shows the retry; the failed attempt is in $RESULTS):"
	sed -n 's/^# rwp: failed-attempt \([^ ]*\) \(rc=.*\)/  \1 \2/p' "$RESULTS"
fi

# Kernel log: any warning, bug, oops, KASAN or lockdep report fails the run.
SPLAT='WARNING:|BUG:|Oops|Kernel panic|KASAN:|UBSAN:|possible (recursive|circular) locking|inconsistent lock state|lockdep (is turned off|recursion)|suspicious RCU usage|INFO: task .* blocked|general protection fault|RCU stall|self-detected stall|Call Trace:'
splats=$(grep -E -c "$SPLAT" "$CONSOLE" || true)
if [ "$splats" != 0 ]; then
	echo "kernel log has $splats suspicious lines ($CONSOLE):"
	grep -E -m 20 -B 2 -A 20 "$SPLAT" "$CONSOLE" | head -n 80
	failed=$((failed + 1))
fi
stage_done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
