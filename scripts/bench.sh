#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn the guest's benchmark log (logs/bench.log, from boot.sh bench) into
# build/bench/: bench.txt (the table), bench.json (the records and the
# clock they were measured with) and PNG plots (gnuplot).
. "$(dirname "$0")/lib.sh"

LOG=$LOGS/bench.log
OUT=$B/bench
[ -f "$LOG" ] || die "$LOG missing: run boot.sh bench first"
command -v gnuplot >/dev/null || die "gnuplot missing (make deps)"
mkdir -p "$OUT"
stage report
grep -v -e '^{' -e '^# rwp: ' "$LOG" >"$OUT/bench.txt"
python3 - "$LOG" "$OUT" <<'PY'
import json, re, sys
log, out = sys.argv[1], sys.argv[2]
recs, clock, kernel = [], "tcg", ""
for line in open(log, errors="replace"):
    if line.startswith("{"):
        recs.append(json.loads(line))
    m = re.match(r"# rwp: kernel (\S+) .*rwp\.clock=(\w+)", line)
    if m:
        kernel, clock = m.group(1), m.group(2)
json.dump({"kernel": kernel, "clock": clock,
           "note": "QEMU TCG: absolute figures are an emulated CPU's; compare ratios",
           "records": recs}, open(out + "/bench.json", "w"), indent=1)
def dat(name, rows):
    with open("%s/%s.dat" % (out, name), "w") as f:
        for r in rows:
            f.write(" ".join(str(x) for x in r) + "\n")
fa = [r for r in recs if r["bench"] == "first-access"]
dat("first-access", [(r["method"], r["median"], r["min"], r["max"]) for r in fa])
size = max([r["size_mib"] for r in recs if r["bench"] == "protect"] or [0])
dat("protect", [("%s-%s" % (r["method"], r["backing"]), r["median"], r["min"], r["max"])
                for r in recs if r["bench"] == "protect" and r["size_mib"] == size])
for m in sorted({r["method"] for r in recs if r["bench"] == "scan-find"}):
    dat("scan-" + m, [(r["size_mib"], r["median"]) for r in recs
                      if r["bench"] == "scan-find" and r["method"] == m])
open(out + "/meta", "w").write("%s %s %d\n" % (kernel, clock, size))
PY
read -r kernel clock size <"$OUT/meta"
scans=$(cd "$OUT" && ls scan-*.dat 2>/dev/null | sed 's/\.dat$//')
plot_scan=
for s in $scans; do
	plot_scan="$plot_scan${plot_scan:+, }'$OUT/$s.dat' using 1:2 with linespoints title '${s#scan-}'"
done
gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6
set logscale y
set grid ytics
set xtics rotate by -30
set output '$OUT/first-access.png'
set title 'First access after protection, median (min-max), $kernel, clock $clock'
set ylabel 'ns per access'
plot '$OUT/first-access.dat' using 2:3:4:xtic(1) notitle
set output '$OUT/protect.png'
set title 'Protecting $size MiB, median (min-max), clock $clock'
set ylabel 'ns per MiB'
plot '$OUT/protect.dat' using 2:3:4:xtic(1) notitle
unset style
set style data linespoints
set xtics norotate
set logscale x 2
set output '$OUT/scan.png'
set title 'Finding cold pages (1/8 touched), clock $clock'
set xlabel 'region (MiB)'
set ylabel 'ns per MiB scanned'
plot $plot_scan
GP
stage_done "$(grep -c '^{' "$LOG") records"

# BENCH_README=1: put this run into README.md (between the bench markers)
# and its plots into doc/bench/, so that both come from the same run.
if [ "${BENCH_README:-0}" = 1 ]; then
	mkdir -p "$TOP/doc/bench"
	cp "$OUT"/*.png "$TOP/doc/bench/"
	python3 - "$TOP/README.md" "$OUT/bench.txt" "$kernel" "$clock" <<'PY'
import sys
readme, table, kernel, clock = sys.argv[1:]
s = open(readme).read()
b, e = "<!-- bench:begin -->\n", "<!-- bench:end -->\n"
if b not in s or e not in s:
    sys.exit("README.md has no bench markers")
body = ("Kernel %s, clock %s (QEMU TCG: compare ratios, not absolute "
        "figures), from `make bench`:\n\n```\n%s```\n\n"
        "![first access](doc/bench/first-access.png)\n"
        "![protect](doc/bench/protect.png)\n"
        "![scan](doc/bench/scan.png)\n" % (kernel, clock, open(table).read()))
s = s[:s.index(b) + len(b)] + body + s[s.index(e):]
open(readme, "w").write(s)
PY
	echo "README.md and doc/bench/ updated"
fi
cat "$OUT/bench.txt"
echo "bench: $OUT/bench.txt $OUT/bench.json $OUT/first-access.png $OUT/protect.png $OUT/scan.png"
