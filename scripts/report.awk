# SPDX-License-Identifier: GPL-2.0
# Read the guest's results.log (scripts/report.sh): one table line per test
# between "# rwp: start NAME" and "# rwp: end NAME rc=.. secs=.. limit=..",
# counting TAP results, uffd-unit-tests' summary line or, for other
# programs, the exit status (0 pass, 4 skip).  Failed cases are listed
# after the table; "PASSED FAILED SKIPPED" goes to standard error.
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
}
