# SPDX-License-Identifier: GPL-2.0
# Front door of the RWP harness.  See README.md.
#
#   make run       boot the RWP kernel under QEMU, run the demonstration
#                  (DEMO_ARGS="-s 256 -- -i 1000 -n 16", rwp-vmm's options):
#                  table, CSV and plot in build/demo/
#   make check     build everything, boot, run the selftests, summarise
#   make check-tree  the same for the work tree ./linux as it is
#   make shell     boot to an interactive guest shell
#   make fuzz      the RWP ioctl fuzzer, long (SEED=1 ITER=100000 DURATION=600)
#   make stress    uffd-rwp-stress, DURATION=600 seconds per backing
#   make bench     benchmarks (non-debug kernel unless FAST=0):
#                  table, JSON and plots in build/bench/
#   make tree      git work tree ./linux = base + series as commits
#   make export    write ./linux's commits back to patches/
#   make checkpatch  scripts/checkpatch.pl --strict over patches/
#   make build-each  build every commit of ./linux in three configs
#   make drift     the docs name exactly the errnos the new ioctls return
#   make man       man/series applied to ioctl_userfaultfd(2) and userfaultfd(2),
#                  linted and rendered to build/man/*.txt
#   make deps      install the Debian packages (as root) or name them
#
# Variables: ARCH=arm64 (cross-build, boot qemu-system-aarch64 -M virt;
# default x86_64), FAST=1 (no KASAN/lockdep/DEBUG_VM), KSRC=/path/to/6.12.y,
# TIMEOUT=seconds (whole guest run), JOBS=N, TREE=dir, FORCE=1,
# BENCH_ARGS="-r 5 -s 64,256,1024,4096" (rwp-bench options), LOOP_MS="250 500
# 1000" (interval lengths of the loop benchmark, or none), ICOUNT=N (QEMU -icount),
# GUEST_NODE_MEM=2G (memory of each of the guest's two nodes; 4G for make bench),
# BENCH_README=1 (make bench copies its table and plots into README.md),
# DEMO_README=1 (make run does the same with the demonstration's).

S := scripts

.PHONY: all check check-tree build-each run shell bench fuzz stress tree export checkpatch drift man deps need-deps \
	base kernel selftests initramfs clean distclean

all: check

deps:
	@$(S)/deps.sh

need-deps:
	@$(S)/deps.sh --check >/dev/null || $(S)/deps.sh

base: need-deps
	@$(S)/base.sh apply check

kernel: base
	@$(S)/kernel.sh

selftests: kernel
	@$(S)/selftests.sh

initramfs: selftests
	@$(S)/initramfs.sh

check: initramfs
	@$(S)/boot.sh check
	@$(S)/report.sh

# Build and test the work tree ./linux as it is, without exporting it.
check-tree:
	@test -d $(or $(TREE),linux) || { echo "error: no work tree: make tree first" >&2; exit 1; }
	@export SRC_TREE=$(abspath $(or $(TREE),linux)); $(S)/kernel.sh && \
	 $(S)/selftests.sh && $(S)/initramfs.sh && $(S)/boot.sh check && $(S)/report.sh

run: initramfs
	@$(S)/boot.sh run && $(S)/demo.sh

shell: initramfs
	@$(S)/boot.sh shell

# One long run of the fuzzer or the stress test on the debug kernel, with
# the same log checks as make check.
SEED ?= 1
ITER ?= 100000
DURATION ?= 600
fuzz:
	@mkdir -p build && echo "rwp-fuzz $$(($(DURATION) + 300)) rwp-fuzz -s $(SEED) -n $(ITER) -t $(DURATION)" \
		>build/tests-fuzz
	@$(MAKE) --no-print-directory TESTS=$(CURDIR)/build/tests-fuzz check

stress:
	@mkdir -p build && echo "uffd-rwp-stress $$((4 * $(DURATION) + 300)) uffd-rwp-stress -d $(DURATION)" \
		>build/tests-stress
	@$(MAKE) --no-print-directory TESTS=$(CURDIR)/build/tests-stress check

# Benchmarks want the kernel without debugging options.
BENCH_FAST := $(or $(FAST),1)
bench: need-deps
	@$(MAKE) --no-print-directory FAST=$(BENCH_FAST) initramfs
	@FAST=$(BENCH_FAST) GUEST_NODE_MEM=$(or $(GUEST_NODE_MEM),4G) $(S)/boot.sh bench && \
	 FAST=$(BENCH_FAST) $(S)/bench.sh

tree: need-deps
	@$(S)/base.sh tree

export:
	@$(S)/base.sh export

checkpatch: base
	@$(S)/checkpatch.sh

# The errnos of the new ioctls: code, admin guide, man pages and fuzzer
# agree.  TREE=dir checks that tree instead of the one make base applies.
drift: $(if $(TREE),need-deps,base)
	@$(S)/drift.sh $(if $(TREE),$(abspath $(TREE)))

man: need-deps
	@$(S)/man.sh

# Every commit of ./linux builds (x86_64, USERFAULTFD=n, i386), no new W=1.
build-each: need-deps
	@$(S)/base.sh prepare && $(S)/build-each.sh

clean:
	rm -rf build/obj-* build/selftests-* build/initramfs* build/logs-*

distclean:
	-git -C build/base worktree remove --force $(or $(TREE),linux) 2>/dev/null
	rm -rf build
