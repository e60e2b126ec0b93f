#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn the demonstration's CSV (logs/demo.csv, from boot.sh run) into
# build/demo/: demo.csv, demo.txt (the run's table) and demo.png (gnuplot).
# DEMO_README=1 also puts the table and the plot into README.md.
. "$(dirname "$0")/lib.sh"

CSV=$LOGS/demo.csv
OUT=$B/demo
[ -s "$CSV" ] || die "$CSV missing or empty: run boot.sh run first"
command -v gnuplot >/dev/null || die "gnuplot missing (make deps)"
mkdir -p "$OUT"
stage plot
tr -d '\r' <"$CSV" >"$OUT/demo.csv"
# The console's table: from the VMM's first line to the manager's last.
tr -d '\r' <"$LOGS/run.log" |
	sed -n '/^rwp-vmm: [0-9]* MiB/,/^rwp-vmm: [0-9]* pages with wrong/p' >"$OUT/demo.txt"
kind=$(sed -n 's/^rwp-vmm: [0-9]* MiB of \([a-z]*\) guest memory, \([0-9]* [A-Za-z]*\).*/\1, \2/p' "$OUT/demo.txt")
gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set datafile separator ','
set output '$OUT/demo.png'
set title 'Working-set tracking with RWP ($kind): pages per interval'
set xlabel 'seconds'
set ylabel 'pages'
set y2label 'refaults per interval'
set ytics nomirror
set y2tics
set logscale y
set key outside bottom center horizontal
set grid
plot '$OUT/demo.csv' every ::1 using 2:7 with linespoints title 'resident', \
     '' every ::1 using 2:3 with lines dt 2 lw 2 title 'true working set', \
     '' every ::1 using 2:4 with points pt 7 title 'detected working set', \
     '' every ::1 using 2:10 axes x1y2 with impulses lw 3 title 'refaults'
GP
stage_done "$(($(wc -l <"$OUT/demo.csv") - 1)) intervals"

if [ "${DEMO_README:-0}" = 1 ]; then
	mkdir -p "$TOP/doc/demo"
	cp "$OUT/demo.png" "$TOP/doc/demo/"
	python3 - "$TOP/README.md" "$OUT/demo.txt" <<'PY'
import sys
readme, table = sys.argv[1:]
s = open(readme).read()
b, e = "<!-- demo:begin -->\n", "<!-- demo:end -->\n"
if b not in s or e not in s:
    sys.exit("README.md has no demo markers")
body = "```\n%s```\n\n![demo](doc/demo/demo.png)\n" % open(table).read()
s = s[:s.index(b) + len(b)] + body + s[s.index(e):]
open(readme, "w").write(s)
PY
	echo "README.md and doc/demo/ updated"
fi
echo "demo: $OUT/demo.txt $OUT/demo.csv $OUT/demo.png"
