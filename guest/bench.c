// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of userfaultfd read-write protection against the mechanisms
 * a working-set tracker uses today, side by side in one run:
 *
 *  first-access  the cost of the first access to a protected page:
 *                RWP async (read, write), RWP sync round trip, uffd-WP
 *                async write, uffd-WP sync round trip, mprotect+SIGSEGV
 *  protect       protecting and resolving a region: UFFDIO_RWPROTECT,
 *                UFFDIO_WRITEPROTECT, mprotect(); 4 KiB pages, THPs and
 *                hugetlb pages
 *  scan          finding the cold pages of a region after touching 1/8
 *                of it (of its pages; on THP, of its THPs), on 4 KiB pages
 *                and THP: PAGEMAP_SCAN with PAGE_IS_ACCESSED, pagemap plus
 *                idle page tracking, pagemap plus soft-dirty; PAGEMAP_SCAN
 *                and soft-dirty must find exactly the untouched pages (the
 *                run fails otherwise), idle page tracking's misses are
 *                reported: it clears accessed bits without flushing the
 *                TLB, so accesses through a cached translation go unseen
 *
 * Every figure is min/median/max over the repeats.  Lines starting with
 * '{' are JSON records for the host; the others are the table.  Under
 * QEMU TCG absolute figures are those of an emulated CPU: compare ratios.
 *
 * Usage: rwp-bench [-r repeats (5)] [-s MiB[,MiB...] (64,256,1024,4096)]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>

#define MAX_REPEATS	32
#define MAX_SIZES	8
#define FA_PAGES	8192		/* first-access region: 32 MiB */

#define die(...) do { fprintf(stderr, "rwp-bench: " __VA_ARGS__); \
		      fprintf(stderr, ": %s\n", strerror(errno)); exit(1); } while (0)

static size_t page;
static int repeats = 5;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One figure: min/median/max of v[0..repeats), printed and recorded */
static double report(const char *bench, const char *method,
		     const char *backing, size_t mib, const char *unit,
		     double *v, double base)
{
	double med;

	qsort(v, repeats, sizeof(*v), cmp);
	med = v[repeats / 2];
	printf("  %-12s %-30s %-8s %6zu MiB %12.1f %12.1f %12.1f %-10s x%.2f\n",
	       bench, method, backing, mib, v[0], med, v[repeats - 1], unit,
	       base > 0 ? med / base : 1.0);
	printf("{\"bench\":\"%s\",\"method\":\"%s\",\"backing\":\"%s\",\"size_mib\":%zu,"
	       "\"unit\":\"%s\",\"min\":%.1f,\"median\":%.1f,\"max\":%.1f,\"ratio\":%.3f}\n",
	       bench, method, backing, mib, unit, v[0], med, v[repeats - 1],
	       base > 0 ? med / base : 1.0);
	return med;
}

/* ---- regions ---- */

enum backing { B_4K, B_THP, B_HUGETLB };
static const char *const backing_name[] = { "4k", "thp", "hugetlb" };

static char *region_new(size_t len, enum backing b)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t i, align = b == B_4K ? page : 2UL << 20;
	char *raw, *p;

	if (b == B_HUGETLB) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 flags | MAP_HUGETLB, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	} else {
		raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE, flags,
			   -1, 0);
		if (raw == MAP_FAILED)
			die("mmap");
		p = (char *)(((unsigned long)raw + align - 1) & ~(align - 1));
		if (p > raw)
			munmap(raw, p - raw);
		munmap(p + len, raw + align - p);
		if (madvise(p, len, b == B_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
			die("madvise");
	}
	for (i = 0; i < len; i += page)
		p[i] = (char)(i / page % 251);
	return p;
}

static int uffd_new(void *addr, size_t len, uint64_t features, uint64_t mode)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)addr, .len = len },
		.mode = mode,
	};
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		die("userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api))
		die("UFFDIO_API 0x%llx", (unsigned long long)features);
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");
	return fd;
}

static void rwprotect(int fd, void *addr, size_t len, uint64_t mode)
{
	struct uffdio_rwprotect rwp = {
		.range = { .start = (unsigned long)addr, .len = len },
		.mode = mode,
	};

	if (ioctl(fd, UFFDIO_RWPROTECT, &rwp))
		die("UFFDIO_RWPROTECT");
}

static void writeprotect(int fd, void *addr, size_t len, uint64_t mode)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (unsigned long)addr, .len = len },
		.mode = mode,
	};

	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp))
		die("UFFDIO_WRITEPROTECT");
}

/* ---- first access ---- */

static char *fa_region;
static size_t fa_len;

/* Touch every page once, checking what a load reads; ns per page */
static double touch_all(char *p, size_t len, int write)
{
	volatile char *c;
	double t0 = now_ns();
	size_t i;

	for (i = 0; i < len; i += page) {
		c = p + i;
		if (write)
			*c = (char)(i / page % 251);
		else if (*c != (char)(i / page % 251))
			die("page %zu holds the wrong data", i / page);
	}
	return (now_ns() - t0) / (len / page);
}

struct handler {
	int fd;
	int wp;			/* serve WP faults, else RWP faults */
};

static void *handler(void *arg)
{
	struct handler *h = arg;
	struct uffd_msg msg;
	uint64_t flag = h->wp ? UFFD_PAGEFAULT_FLAG_WP : UFFD_PAGEFAULT_FLAG_RWP;
	size_t served;
	void *addr;

	for (served = 0; served < fa_len / page; served++) {
		if (read(h->fd, &msg, sizeof(msg)) != sizeof(msg))
			die("read(uffd)");
		if (msg.event != UFFD_EVENT_PAGEFAULT ||
		    !(msg.arg.pagefault.flags & flag))
			die("unexpected message");
		addr = (void *)(msg.arg.pagefault.address & ~(page - 1));
		if (h->wp)
			writeprotect(h->fd, addr, page, 0);
		else
			rwprotect(h->fd, addr, page, 0);
	}
	return NULL;
}

static double fa_uffd(uint64_t features, uint64_t mode, int wp, int sync,
		      int write)
{
	struct handler h = { .wp = wp };
	pthread_t t;
	double c;

	fa_region = region_new(fa_len, B_4K);
	h.fd = uffd_new(fa_region, fa_len, features, mode);
	if (wp)
		writeprotect(h.fd, fa_region, fa_len, UFFDIO_WRITEPROTECT_MODE_WP);
	else
		rwprotect(h.fd, fa_region, fa_len, UFFDIO_RWPROTECT_MODE_RWP);
	if (sync && pthread_create(&t, NULL, handler, &h))
		die("pthread_create");
	c = touch_all(fa_region, fa_len, write);
	if (sync)
		pthread_join(t, NULL);
	close(h.fd);
	munmap(fa_region, fa_len);
	return c;
}

static double fa_rwp_async_read(void)
{
	return fa_uffd(UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC,
		       UFFDIO_REGISTER_MODE_RWP, 0, 0, 0);
}

static double fa_rwp_async_write(void)
{
	return fa_uffd(UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC,
		       UFFDIO_REGISTER_MODE_RWP, 0, 0, 1);
}

static double fa_rwp_sync(void)
{
	return fa_uffd(UFFD_FEATURE_RWP, UFFDIO_REGISTER_MODE_RWP, 0, 1, 0);
}

static double fa_wp_async(void)
{
	return fa_uffd(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED,
		       UFFDIO_REGISTER_MODE_WP, 1, 0, 1);
}

static double fa_wp_sync(void)
{
	return fa_uffd(0, UFFDIO_REGISTER_MODE_WP, 1, 1, 1);
}

static void segv(int sig, siginfo_t *si, void *uc)
{
	void *addr = (void *)((unsigned long)si->si_addr & ~(page - 1));

	(void)sig;
	(void)uc;
	if (mprotect(addr, page, PROT_READ | PROT_WRITE))
		abort();
}

static double fa_mprotect(void)
{
	struct sigaction sa = { .sa_sigaction = segv, .sa_flags = SA_SIGINFO };
	double c;

	if (sigaction(SIGSEGV, &sa, NULL))
		die("sigaction");
	fa_region = region_new(fa_len, B_4K);
	if (mprotect(fa_region, fa_len, PROT_NONE))
		die("mprotect");
	c = touch_all(fa_region, fa_len, 0);
	munmap(fa_region, fa_len);
	signal(SIGSEGV, SIG_DFL);
	return c;
}

static const struct {
	const char *name;
	double (*measure)(void);
} fa_methods[] = {
	{ "rwp-async-read", fa_rwp_async_read },	/* the base of the ratios */
	{ "rwp-async-write", fa_rwp_async_write },
	{ "wp-async-write", fa_wp_async },
	{ "mprotect-sigsegv-read", fa_mprotect },
	{ "rwp-sync-roundtrip-read", fa_rwp_sync },
	{ "wp-sync-roundtrip-write", fa_wp_sync },
};

static void bench_first_access(void)
{
	double v[MAX_REPEATS], base = 0;
	unsigned int m;
	int r;

	fa_len = FA_PAGES * page;
	for (m = 0; m < sizeof(fa_methods) / sizeof(fa_methods[0]); m++) {
		for (r = 0; r < repeats; r++)
			v[r] = fa_methods[m].measure();
		v[0] = report("first-access", fa_methods[m].name, "4k",
			      fa_len >> 20, "ns/access", v, base);
		if (!m)
			base = v[0];
	}
}

/* ---- protect and resolve ---- */

enum pmethod { P_RWP, P_WP, P_MPROTECT, NR_PMETHODS };
static const char *const pmethod_name[] = {
	"rwprotect", "writeprotect", "mprotect"
};

/* ns per MiB to protect and then resolve a populated region */
static int protect_once(enum pmethod m, enum backing b, size_t len,
			double *prot, double *res)
{
	char *p = region_new(len, b);
	double t0, t1, t2;
	int fd = -1;

	if (!p)
		return -1;
	if (m == P_RWP)
		fd = uffd_new(p, len, UFFD_FEATURE_RWP, UFFDIO_REGISTER_MODE_RWP);
	else if (m == P_WP)
		fd = uffd_new(p, len, 0, UFFDIO_REGISTER_MODE_WP);
	t0 = now_ns();
	if (m == P_RWP)
		rwprotect(fd, p, len, UFFDIO_RWPROTECT_MODE_RWP);
	else if (m == P_WP)
		writeprotect(fd, p, len, UFFDIO_WRITEPROTECT_MODE_WP);
	else if (mprotect(p, len, PROT_NONE))
		die("mprotect");
	t1 = now_ns();
	if (m == P_RWP)
		rwprotect(fd, p, len, 0);
	else if (m == P_WP)
		writeprotect(fd, p, len, 0);
	else if (mprotect(p, len, PROT_READ | PROT_WRITE))
		die("mprotect");
	t2 = now_ns();
	*prot = (t1 - t0) / (len >> 20);
	*res = (t2 - t1) / (len >> 20);
	if (fd >= 0)
		close(fd);
	munmap(p, len);
	return 0;
}

static void bench_protect(size_t mib)
{
	double prot[MAX_REPEATS], res[MAX_REPEATS], base_p, base_r;
	enum backing b;
	enum pmethod m;
	int r;

	for (b = B_4K; b <= B_HUGETLB; b++) {
		base_p = base_r = 0;
		for (m = 0; m < NR_PMETHODS; m++) {
			for (r = 0; r < repeats; r++) {
				if (protect_once(m, b, mib << 20, &prot[r],
						 &res[r])) {
					printf("  protect      %-30s %-8s %6zu MiB skipped: no free hugetlb pages\n",
					       pmethod_name[m], backing_name[b], mib);
					goto next_backing;
				}
			}
			prot[0] = report("protect", pmethod_name[m],
					 backing_name[b], mib, "ns/MiB", prot,
					 base_p);
			res[0] = report("resolve", pmethod_name[m],
					backing_name[b], mib, "ns/MiB", res,
					base_r);
			if (m == P_RWP) {
				base_p = prot[0];
				base_r = res[0];
			}
		}
next_backing:;
	}
}

/* ---- finding cold pages ---- */

#define HOT_EVERY	8	/* touch one page in eight */

#define THP_SIZE	(2UL << 20)

/*
 * The unit of the scan: a page, or on THP a whole THP (one page touched
 * makes it accessed for every method).  huge[] says, per 2 MiB block,
 * whether it is mapped by a THP; NULL for 4 KiB pages.
 */
static uint8_t *huge;

static size_t unit(void)
{
	return huge ? THP_SIZE : page;
}

static void touch_hot(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += HOT_EVERY * unit())
		*(volatile char *)(p + i) = (char)(i / page % 251);
}

/* Cold pages once one unit in HOT_EVERY was touched */
static size_t expected_cold(size_t len)
{
	size_t n = len / page, i, hot = 0;

	if (!huge)
		return n - (n + HOT_EVERY - 1) / HOT_EVERY;
	for (i = 0; i < len / THP_SIZE; i += HOT_EVERY)
		hot += huge[i] ? THP_SIZE / page : 1;
	return n - hot;
}

/*
 * PAGEMAP_SCAN of [p, p + len) for the pages in category mask (inverted:
 * the bits of inverted), calling fn for each region found; the sum of
 * what fn returns.
 */
static size_t scan_regions(char *p, size_t len, uint64_t mask, uint64_t inverted,
			   size_t (*fn)(char *p, const struct page_region *r))
{
	static struct page_region regs[4096];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = (unsigned long)p,
		.end = (unsigned long)p + len,
		.vec = (unsigned long)regs,
		.vec_len = sizeof(regs) / sizeof(regs[0]),
		.category_mask = mask,
		.category_inverted = inverted,
		.return_mask = mask,
	};
	size_t sum = 0;
	long n, i;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die("open pagemap");
	do {
		n = ioctl(fd, PAGEMAP_SCAN, &arg);
		if (n < 0)
			die("PAGEMAP_SCAN");
		for (i = 0; i < n; i++)
			sum += fn(p, &regs[i]);
		arg.start = arg.walk_end;
	} while (arg.walk_end < arg.end);
	close(fd);
	return sum;
}

static size_t mark_huge(char *p, const struct page_region *r)
{
	size_t b, first = (r->start - (unsigned long)p) / THP_SIZE;

	for (b = first; b < (r->end - (unsigned long)p) / THP_SIZE; b++)
		huge[b] = 1;
	return b - first;
}

/* Which 2 MiB blocks of the region are mapped by THPs (PAGE_IS_HUGE) */
static size_t find_huge(char *p, size_t len)
{
	memset(huge, 0, len / THP_SIZE);
	return scan_regions(p, len, PAGE_IS_HUGE, 0, mark_huge);
}

static size_t count_pages(char *p, const struct page_region *r)
{
	(void)p;
	return (r->end - r->start) / page;
}

/* PAGEMAP_SCAN: cold = resident and not accessed; returns cold pages */
static size_t scan_pagemap_scan(char *p, size_t len)
{
	return scan_regions(p, len, PAGE_IS_ACCESSED | PAGE_IS_PRESENT,
			    PAGE_IS_ACCESSED, count_pages);
}

static uint64_t *pm_buf;

static void read_pagemap(char *p, size_t len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	size_t n = len / page;

	if (fd < 0)
		die("open pagemap");
	if (pread(fd, pm_buf, n * 8, (unsigned long)p / page * 8) != (ssize_t)(n * 8))
		die("read pagemap");
	close(fd);
}

#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_PRESENT	(1ULL << 63)

/*
 * Idle page tracking: mark the region's pages idle (arm), or count those
 * still idle (scan).  The bitmap is read and written a 64-frame word at a
 * time, each word once per run of pages whose frames share it, as a
 * tracker batching its accesses would.
 */
static size_t idle_pages(char *p, size_t len, int mark)
{
	int fd = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
	uint64_t pfn, word = 0, cur = UINT64_MAX;
	size_t i, n = len / page, idle = 0;

	if (fd < 0)
		die("open page_idle/bitmap");
	read_pagemap(p, len);
	for (i = 0; i <= n; i++) {
		pfn = i < n && (pm_buf[i] & PM_PRESENT) ? PM_PFN(pm_buf[i]) :
							  UINT64_MAX;
		if (pfn / 64 != cur / 64 && cur != UINT64_MAX && mark &&
		    pwrite(fd, &word, 8, cur / 64 * 8) != 8)
			die("write page_idle");
		if (pfn == UINT64_MAX) {
			cur = pfn;
			continue;
		}
		if (pfn / 64 != cur / 64) {
			word = 0;
			if (!mark && pread(fd, &word, 8, pfn / 64 * 8) != 8)
				die("read page_idle");
		}
		cur = pfn;
		if (mark) {
			word |= 1ULL << (pfn % 64);
		} else if (huge && huge[i * page / THP_SIZE]) {
			/*
			 * Only a THP's head carries the bit: count its
			 * pages by it (a tracker would learn what is a
			 * head from /proc/kpageflags; that is not timed).
			 */
			if (i % (THP_SIZE / page) == 0)
				idle += ((word >> (pfn % 64)) & 1) * (THP_SIZE / page);
		} else {
			idle += (word >> (pfn % 64)) & 1;
		}
	}
	close(fd);
	return idle;
}

static void clear_soft_dirty(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);

	if (fd < 0 || write(fd, "4", 1) != 1)
		die("clear_refs");
	close(fd);
}

static size_t soft_dirty_clean(char *p, size_t len)
{
	size_t i, n = len / page, clean = 0;

	read_pagemap(p, len);
	for (i = 0; i < n; i++)
		clean += (pm_buf[i] & PM_PRESENT) && !(pm_buf[i] & PM_SOFT_DIRTY);
	return clean;
}

/*
 * Whether the kernel tracks soft-dirty bits (HAVE_ARCH_SOFT_DIRTY: x86-64,
 * not arm64): a new mapping is then marked soft-dirty ("sd" in smaps).
 */
static bool soft_dirty_supported(void)
{
	char *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char line[256], start[32];
	bool found = false, sd = false;
	FILE *f;

	if (p == MAP_FAILED)
		die("mmap");
	snprintf(start, sizeof(start), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/smaps", "r");
	if (!f)
		die("/proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, start, strlen(start)))
			found = true;
		else if (found && !strncmp(line, "VmFlags:", 8)) {
			sd = strstr(line, " sd") != NULL;
			break;
		}
	}
	fclose(f);
	munmap(p, page);
	return sd;
}

enum smethod { S_RWP, S_IDLE, S_SOFTDIRTY, NR_SMETHODS };
static const char *const smethod_name[] = {
	"pagemap-scan-accessed", "pagemap+page-idle", "pagemap+soft-dirty"
};

/*
 * Arm, touch 1/8, find the cold pages; ns per MiB for arming and scan.
 * Returns how many pages were found cold.
 */
static size_t scan_once(enum smethod m, enum backing b, size_t len,
			double *arm, double *scan, size_t *want)
{
	char *p = region_new(len, b);
	size_t cold = 0;
	double t0, t1;
	int fd = -1;

	if (b == B_THP)
		find_huge(p, len);
	*want = expected_cold(len);

	if (m == S_RWP)
		fd = uffd_new(p, len, UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC,
			      UFFDIO_REGISTER_MODE_RWP);
	t0 = now_ns();
	if (m == S_RWP)
		rwprotect(fd, p, len, UFFDIO_RWPROTECT_MODE_RWP);
	else if (m == S_IDLE)
		idle_pages(p, len, 1);
	else
		clear_soft_dirty();
	*arm = (now_ns() - t0) / (len >> 20);
	touch_hot(p, len);
	t1 = now_ns();
	if (m == S_RWP)
		cold = scan_pagemap_scan(p, len);
	else if (m == S_IDLE)
		cold = idle_pages(p, len, 0);
	else
		cold = soft_dirty_clean(p, len);
	*scan = (now_ns() - t1) / (len >> 20);
	if (fd >= 0)
		close(fd);
	munmap(p, len);
	return cold;
}

static int bench_scan(size_t mib, enum backing b)
{
	double arm[MAX_REPEATS], scan[MAX_REPEATS], miss[MAX_REPEATS];
	double base_a = 0, base_s = 0;
	const char *bn = backing_name[b];
	size_t cold, want;
	enum smethod m;
	int r, bad = 0;

	pm_buf = malloc((mib << 20) / page * 8);
	huge = b == B_THP ? malloc((mib << 20) / THP_SIZE) : NULL;
	if (!pm_buf || (b == B_THP && !huge))
		die("malloc");
	for (m = 0; m < NR_SMETHODS; m++) {
		if (m == S_IDLE && access("/sys/kernel/mm/page_idle/bitmap", R_OK)) {
			printf("  scan         %-30s skipped: no CONFIG_IDLE_PAGE_TRACKING\n",
			       smethod_name[m]);
			continue;
		}
		if (m == S_SOFTDIRTY && !soft_dirty_supported()) {
			printf("  scan         %-30s skipped: no soft-dirty tracking on this architecture\n",
			       smethod_name[m]);
			continue;
		}
		for (r = 0; r < repeats; r++) {
			cold = scan_once(m, b, mib << 20, &arm[r], &scan[r], &want);
			/* touched pages taken for cold, cold ones missed */
			miss[r] = cold > want ? cold - want : want - cold;
			if (cold != want && m != S_IDLE) {
				printf("# rwp-bench: %s found %zu cold pages, expected %zu\n",
				       smethod_name[m], cold, want);
				bad = 1;
			}
		}
		arm[0] = report("scan-arm", smethod_name[m], bn, mib,
				"ns/MiB", arm, base_a);
		scan[0] = report("scan-find", smethod_name[m], bn, mib,
				 "ns/MiB", scan, base_s);
		report("scan-wrong", smethod_name[m], bn, mib, "pages",
		       miss, 0);
		if (m == S_RWP) {
			base_a = arm[0];
			base_s = scan[0];
		}
	}
	free(pm_buf);
	free(huge);
	huge = NULL;
	return bad;
}

int main(int argc, char **argv)
{
	size_t sizes[MAX_SIZES] = { 64, 256, 1024, 4096 };
	int nr_sizes = 4, opt, i, bad = 0;
	char *s, *tok;

	page = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "r:s:")) != -1) {
		switch (opt) {
		case 'r':
			repeats = atoi(optarg);
			if (repeats < 1 || repeats > MAX_REPEATS)
				goto usage;
			break;
		case 's':
			nr_sizes = 0;
			for (s = optarg; (tok = strtok(s, ",")); s = NULL) {
				if (nr_sizes == MAX_SIZES || atoi(tok) < 2)
					goto usage;
				sizes[nr_sizes++] = atoi(tok);
			}
			break;
		default:
			goto usage;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# rwp-bench: %d repeats, figures min / median / max, ratio of the median to the first method\n",
	       repeats);
	printf("  %-12s %-30s %-8s %10s %12s %12s %12s %-10s %s\n", "bench",
	       "method", "backing", "size", "min", "median", "max", "unit",
	       "ratio");
	bench_first_access();
	for (i = 0; i < nr_sizes; i++)
		bench_protect(sizes[i]);
	for (i = 0; i < nr_sizes; i++)
		bad |= bench_scan(sizes[i], B_4K);
	for (i = 0; i < nr_sizes; i++)
		bad |= bench_scan(sizes[i], B_THP);
	if (bad) {
		printf("# rwp-bench: a scan method missed or invented cold pages\n");
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: rwp-bench [-r repeats (1-%d)] [-s MiB[,MiB...] (up to %d sizes, >= 2)]\n",
		MAX_REPEATS, MAX_SIZES);
	return 2;
}
