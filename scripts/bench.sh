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
# The bar chart of protect/resolve: the largest size every backing ran at.
combos = {(r["method"], r["backing"]) for r in recs if r["bench"] == "protect"}
sizes = sorted({r["size_mib"] for r in recs if r["bench"] == "protect"})
full = [z for z in sizes if len({(r["method"], r["backing"]) for r in recs
                                 if r["bench"] == "protect" and r["size_mib"] == z}) == len(combos)]
size = max(full or sizes or [0])
dat("protect", [("%s-%s" % (r["method"], r["backing"]), r["median"], r["min"], r["max"])
                for r in recs if r["bench"] == "protect" and r["size_mib"] == size])
for m, b in sorted({(r["method"], r["backing"]) for r in recs if r["bench"] == "scan-find"}):
    dat("scan-%s-%s" % (m, b), [(r["size_mib"], r["median"]) for r in recs
                                if r["bench"] == "scan-find" and r["method"] == m and r["backing"] == b])
for m, b in sorted(combos):
    dat("scale-%s-%s" % (m, b), [(r["size_mib"], r["median"]) for r in recs
                                 if r["bench"] == "protect" and r["method"] == m and r["backing"] == b])
txt = open(out + "/bench.txt", "a")
# Scaling: how far the per-MiB cost moves between the smallest and the
# largest size.
series = {}
for r in recs:
    if r["bench"] in ("protect", "resolve", "scan-find") and r["unit"] == "ns/MiB":
        series.setdefault((r["bench"], r["method"], r["backing"]), []).append((r["size_mib"], r["median"]))
if any(len(v) > 1 for v in series.values()):
    txt.write("# scaling: median ns/MiB at each size; spread = largest / smallest - 1\n")
    for (bench, m, b), v in sorted(series.items()):
        if len(v) < 2:
            continue
        v.sort()
        vals = [x[1] for x in v]
        txt.write("  %-12s %-30s %-8s %s  spread %.0f%%\n" % (bench, m, b,
                  " ".join("%d:%.0f" % x for x in v), (max(vals) / min(vals) - 1) * 100))
# The demonstration's loop: throughput untracked, tracked, tracked and
# evicting; per interval length, on KVM vCPUs and on threads.
loop = [r for r in recs if r["bench"] == "loop"]
rows = []
for kvm in (1, 0):
    for ms in sorted({r["interval_ms"] for r in loop if r["kvm"] == kvm}):
        pick = lambda t, e: [r for r in loop if r["interval_ms"] == ms and r["kvm"] == kvm and
                             r["tracking"] == t and (r["evict_after"] > 0) == e]
        base, trk, evi = pick(0, False), pick(1, False), pick(1, True)
        if base and trk:
            rows.append((ms, base[0], trk[0], evi[0] if evi else None))
if rows:
    r0 = rows[0][1]
    txt.write("# the demonstration's loop, %d MiB, %d vCPUs: page accesses/s of the workload, median (min-max)\n"
              "# over the intervals after the second; overhead = 1 - median / untracked median\n"
              % (r0["size_mib"], r0["vcpus"]))
    txt.write("  %-18s %31s %40s %40s\n" % ("interval", "untracked", "tracked", "tracked, evicting"))
    cell = lambda r, b: "-" if r is None else "%9.0f (%.0f-%.0f) %7s" % (
        r["median"], r["min"], r["max"],
        "" if r is b else "%.1f%%" % ((1 - r["median"] / b["median"]) * 100))
    for ms, b, t, e in rows:
        txt.write("  %6d ms %-8s  %s  %s  %s\n" % (ms, "KVM" if b["kvm"] else "threads",
                                                   cell(b, b), cell(t, b), cell(e, b)))
    dat("loop", [("%d-ms-%s" % (ms, "kvm" if b["kvm"] else "threads"), b["median"], b["min"], b["max"],
                  t["median"], t["min"], t["max"]) + ((e["median"], e["min"], e["max"]) if e else (0, 0, 0))
                 for ms, b, t, e in rows])
# The goals of the benchmark issue, each with the figure that decides it.
def med(bench, method, backing=None, size=None):
    v = [r for r in recs if r["bench"] == bench and r["method"] == method
         and (backing is None or r["backing"] == backing)
         and (size is None or r["size_mib"] == size)]
    return v[-1]["median"] if v else None
goal_lines = []
def goal(text, value, ok, fmt="%.2fx"):
    if value is None:
        return
    goal_lines.append("  %-66s %10s  %s" % (text, fmt % value, "met" if ok(value) else "MISSED"))
def ratio(a, b):
    return a / b if a is not None and b else None
goal("RWP async write / uffd-WP async write (<= 1.2x)",
     ratio(med("first-access", "rwp-async-write"), med("first-access", "wp-async-write")), lambda v: v <= 1.2)
goal("mprotect+SIGSEGV / RWP async read (>= 5x)",
     ratio(med("first-access", "mprotect-sigsegv-read"), med("first-access", "rwp-async-read")), lambda v: v >= 5)
goal("RWP sync round trip / uffd-WP sync round trip (<= 1.3x)",
     ratio(med("first-access", "rwp-sync-roundtrip-read"), med("first-access", "wp-sync-roundtrip-write")),
     lambda v: v <= 1.3)
psizes = sorted({r["size_mib"] for r in recs if r["bench"] == "protect"})
for z in psizes:
    goal("protect 4 KiB, %d MiB: UFFDIO_RWPROTECT / mprotect (<= 1.3x)" % z,
         ratio(med("protect", "rwprotect", "4k", z), med("protect", "mprotect", "4k", z)), lambda v: v <= 1.3)
for z in psizes:
    goal("protect %d MiB: per MiB on 4 KiB pages / on THP (>= 20x)" % z,
         ratio(med("protect", "rwprotect", "4k", z), med("protect", "rwprotect", "thp", z)), lambda v: v >= 20)
ssizes = sorted({r["size_mib"] for r in recs if r["bench"] == "scan-find"})
for b in ("4k", "thp"):
    for z in ssizes[-1:]:
        for m, name in (("pagemap+page-idle", "idle page tracking"), ("pagemap+soft-dirty", "a pagemap read")):
            goal("cold scan %s, %d MiB: %s / PAGEMAP_SCAN (>= 10x)" % (b, z, name),
                 ratio(med("scan-find", m, b, z), med("scan-find", "pagemap-scan-accessed", b, z)),
                 lambda v: v >= 10)
for key in (("protect", "rwprotect", "4k"), ("resolve", "rwprotect", "4k"),
            ("protect", "rwprotect", "thp"), ("scan-find", "pagemap-scan-accessed", "4k")):
    v = [x[1] for x in sorted(series.get(key, []))]
    if len(v) > 1:
        goal("%s %s %s per MiB, %d to %d MiB: spread (<= 20%%)" % (key[0], key[1], key[2],
             min(x[0] for x in series[key]), max(x[0] for x in series[key])),
             (max(v) / min(v) - 1) * 100, lambda v: v <= 20, "%.0f%%")
for ms, b, t, e in rows:
    if ms == 1000:
        goal("loop at 1 s, %s: tracking overhead (<= 5%%)" % ("KVM vCPUs" if b["kvm"] else "threads"),
             (1 - t["median"] / b["median"]) * 100, lambda v: v <= 5, "%.1f%%")
if goal_lines:
    txt.write("# goals: the figure of this run that decides each (detection accuracy: make run)\n")
    txt.write("\n".join(goal_lines) + "\n")
txt.close()
open(out + "/meta", "w").write("%s %s %d\n" % (kernel, clock, size))
PY
read -r kernel clock size <"$OUT/meta"
scans=$(cd "$OUT" && ls scan-*.dat 2>/dev/null | sed 's/\.dat$//')
plot_scale=
for s in $(cd "$OUT" && ls scale-*.dat 2>/dev/null | sed 's/\.dat$//'); do
	plot_scale="$plot_scale${plot_scale:+, }'$OUT/$s.dat' using 1:2 with linespoints title '${s#scale-}'"
done
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
set key outside right
set xlabel 'region (MiB)'
set ylabel 'ns per MiB scanned'
plot $plot_scan
set output '$OUT/scaling.png'
set title 'Protecting: cost per MiB by region size, clock $clock'
set ylabel 'ns per MiB'
plot $plot_scale
GP
if [ -f "$OUT/loop.dat" ]; then
	gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set title "The demonstration's loop: workload throughput, median (min-max), clock $clock"
set xlabel 'interval, vCPUs'
set ylabel 'page accesses per second'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6
set grid ytics
set yrange [0:*]
set output '$OUT/loop.png'
plot '$OUT/loop.dat' using 2:3:4:xtic(1) title 'untracked', '' using 5:6:7 title 'tracked (RWP)', \\
     '' using 8:9:10 title 'tracked and evicting'
GP
fi
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
        "![scan](doc/bench/scan.png)\n"
        "![scaling](doc/bench/scaling.png)\n"
        "![loop](doc/bench/loop.png)\n" % (kernel, clock, open(table).read()))
s = s[:s.index(b) + len(b)] + body + s[s.index(e):]
open(readme, "w").write(s)
PY
	echo "README.md and doc/bench/ updated"
fi
cat "$OUT/bench.txt"
echo "bench: $OUT/bench.txt $OUT/bench.json" "$OUT"/*.png
