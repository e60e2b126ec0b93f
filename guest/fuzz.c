// SPDX-License-Identifier: GPL-2.0
/*
 * rwp-fuzz: random and boundary arguments for the userfaultfd ioctls and
 * PAGEMAP_SCAN, while other threads remap, protect, advise, access and
 * fork the same ranges.
 *
 * Every ioctl's return must be success or an errno of its table below,
 * or the generic EBADF/ENOTTY of a file that is not a userfaultfd;
 * anything else fails the run.  scripts/drift.sh (make drift) checks the
 * table: for the new ioctls against the code and the admin guide
 * (Documentation/admin-guide/mm/userfaultfd.rst), for the older ones
 * against ioctl_userfaultfd(2) and the upstream documentation gaps it
 * lists.  A watchdog fails the run when a thread makes no progress for
 * WATCHDOG_S seconds.  The kernel log is checked by the harness.
 *
 * All memory operations stay inside one reserved window (the arena), so
 * the fuzzer never unmaps its own stacks or heap.  Each thread draws from
 * its own generator seeded from -s: the arguments are reproducible, the
 * interleaving of the threads is not.
 *
 * usage: rwp-fuzz [-s seed] [-n operations] [-t seconds] [-l]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MADV_PAGEOUT
#define MADV_COLD	20
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define ARENA_PAGES	8192		/* 32 MiB */
#define HPAGE		(2UL << 20)
#define NR_UFFDS	4
#define UFFD_FD_BASE	200		/* the userfaultfds live at fixed fds */
#define WATCHDOG_S	30
#define GUARD		(64UL << 20)	/* reserved around the arena */

static size_t page;
static char *arena;
static size_t arena_len;
static int memfd, hugefd = -1, pagemap;
static atomic_long ops_left;
static atomic_int stop;			/* the workers' time is up */
static atomic_int handler_stop;		/* every worker has finished */
static char *src_buf;			/* a valid source for COPY */

/* What each thread does now, for the watchdog's report */
static __thread char *now_buf;
#define doing(...)	do {						\
		if (now_buf)						\
			snprintf(now_buf, 160, __VA_ARGS__);		\
	} while (0)

/* ---- the documented errnos ---- */

enum op {
	OP_API, OP_REGISTER, OP_UNREGISTER, OP_RWPROTECT, OP_WRITEPROTECT,
	OP_SET_MODE, OP_WAKE, OP_COPY, OP_ZEROPAGE, OP_MOVE, OP_SCAN, NR_OPS
};

static const struct {
	const char *name;
	int errnos[12];
} table[NR_OPS] = {
	[OP_API]	  = { "UFFDIO_API", { EINVAL, EFAULT, EPERM } },
	[OP_REGISTER]	  = { "UFFDIO_REGISTER",
			      { EINVAL, EFAULT, EBUSY, ENOMEM, EPERM, ENOENT, EAGAIN } },
	[OP_UNREGISTER]	  = { "UFFDIO_UNREGISTER",
			      { EINVAL, EFAULT, ENOMEM, ENOENT, EAGAIN, EBUSY } },
	[OP_RWPROTECT]	  = { "UFFDIO_RWPROTECT",
			      { EINVAL, EFAULT, ENOENT, EAGAIN, ESRCH, ENOMEM } },
	[OP_WRITEPROTECT] = { "UFFDIO_WRITEPROTECT",
			      { EINVAL, EFAULT, ENOENT, EAGAIN, ESRCH, ENOMEM } },
	[OP_SET_MODE]	  = { "UFFDIO_SET_MODE", { EINVAL, EFAULT } },
	[OP_WAKE]	  = { "UFFDIO_WAKE", { EINVAL, EFAULT } },
	[OP_COPY]	  = { "UFFDIO_COPY",
			      { EINVAL, EFAULT, EEXIST, ENOENT, ENOMEM, EAGAIN, ESRCH, ENOSPC } },
	[OP_ZEROPAGE]	  = { "UFFDIO_ZEROPAGE",
			      { EINVAL, EFAULT, EEXIST, ENOENT, ENOMEM, EAGAIN, ESRCH, ENOSPC } },
	[OP_MOVE]	  = { "UFFDIO_MOVE",
			      { EINVAL, EFAULT, EEXIST, ENOENT, EBUSY, ENOMEM, EAGAIN, ESRCH } },
	[OP_SCAN]	  = { "PAGEMAP_SCAN",	/* EPERM: PM_SCAN_CHECK_WPASYNC */
			      { EINVAL, EFAULT, ENOMEM, EPERM, ESRCH } },
};

static struct {
	atomic_long calls, ok;
} stats[NR_OPS];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rwp-fuzz: FAIL: ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	_exit(1);
}

static void check(enum op op, long ret, int fd, const char *args)
{
	int e = errno, i;

	atomic_fetch_add(&stats[op].calls, 1);
	if (ret >= 0) {
		atomic_fetch_add(&stats[op].ok, 1);
		return;
	}
	/* not a userfaultfd (closed slot, or the wrong file) */
	if (e == EBADF || e == ENOTTY)
		return;
	for (i = 0; i < 12 && table[op].errnos[i]; i++)
		if (table[op].errnos[i] == e)
			return;
	fail("%s on fd %d (%s) returned %s, not a documented errno", table[op].name,
	     fd, args, strerrorname_np(e) ? strerrorname_np(e) : "?");
}

/* ---- random arguments ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

/* An address: mostly inside the arena, sometimes anywhere. */
static uint64_t rnd_addr(struct rng *r)
{
	switch (below(r, 16)) {
	case 0: return rnd(r) | 1ULL << 63;			/* kernel */
	case 1: return (uintptr_t)arena + below(r, arena_len);	/* unaligned */
	case 2: return (uintptr_t)arena - page * below(r, 4);	/* just before */
	case 3: return ~0ULL - page * below(r, 4);		/* wraps */
	case 4: return 0;
	default:
		if (below(r, 2))	/* a huge page boundary */
			return (uintptr_t)arena + below(r, arena_len / HPAGE) * HPAGE;
		return (uintptr_t)arena + below(r, ARENA_PAGES) * page;
	}
}

/* Ranges registered lately: most operations aim at them. */
static struct {
	_Atomic uint64_t start, len;
	atomic_int fd;
} recent[8];

static void remember(int fd, uint64_t start, uint64_t len)
{
	static atomic_uint next;
	unsigned int i = atomic_fetch_add(&next, 1) % 8;

	atomic_store(&recent[i].start, start);
	atomic_store(&recent[i].len, len);
	atomic_store(&recent[i].fd, fd);
}

static uint64_t rnd_len(struct rng *r)
{
	switch (below(r, 12)) {
	case 0: return rnd(r);
	case 1: return below(r, page);				/* unaligned */
	case 2: return 0;
	case 3: return arena_len;
	case 4: return ~0ULL - below(r, 2) * page;		/* wraps */
	case 5: return HPAGE * (1 + below(r, 4));
	default: return page * (1 + below(r, 64));
	}
}

/*
 * A range must stay inside the reservation (arena and guards): the
 * fuzzer's own binary, heap and stacks lie outside, and UFFDIO_MOVE or
 * UFFDIO_REGISTER of them would pull the rug from under it.  Ranges that
 * overflow or leave user space stay as they are: they can only fail.
 * Others that start outside (at 0) keep to their first page, which is
 * never mapped (mmap_min_addr).
 */
static uint64_t clamp(uint64_t start, uint64_t len)
{
	uint64_t lo = (uintptr_t)arena - GUARD, hi = (uintptr_t)arena + arena_len + GUARD;

	if (start + len < start || start + len >= 1ULL << 47)
		return len;
	if (start < lo || start >= hi)
		return len < page ? len : page;
	return start + len > hi ? hi - start : len;
}

/* Mostly valid bits of a mask, sometimes any. */
static uint64_t rnd_bits(struct rng *r, uint64_t valid)
{
	if (!below(r, 8))
		return rnd(r);
	return rnd(r) & valid;
}

static int rnd_uffd(struct rng *r)
{
	if (!below(r, 32))
		return below(r, 2) ? -1 : pagemap;	/* not a userfaultfd */
	return UFFD_FD_BASE + below(r, NR_UFFDS);
}

/*
 * An argument pointer: mostly good, sometimes bad.  Only PAGEMAP_SCAN gets
 * pointers into the arena, whose faults may go to a userfaultfd: a thread
 * blocked in an ioctl on userfaultfd X by a fault for X holds X open, so
 * once the slot moves on nobody would ever answer it (a deadlock of the
 * program, not of the kernel: it can still be killed).
 */
static void *rnd_ptr(struct rng *r, void *good)
{
	switch (below(r, 16)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)rnd(r);
	default: return good;
	}
}

static void *rnd_arena_ptr(struct rng *r, void *good)
{
	return below(r, 16) ? rnd_ptr(r, good) : arena + below(r, ARENA_PAGES) * page;
}

/* ---- the operations ---- */

#define FEATURES (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_EVENT_FORK | \
		  UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE | \
		  UFFD_FEATURE_MISSING_HUGETLBFS | UFFD_FEATURE_MISSING_SHMEM | \
		  UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID | \
		  UFFD_FEATURE_MINOR_HUGETLBFS | UFFD_FEATURE_MINOR_SHMEM | \
		  UFFD_FEATURE_EXACT_ADDRESS | UFFD_FEATURE_WP_HUGETLBFS_SHMEM | \
		  UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_POISON | UFFD_FEATURE_WP_ASYNC | \
		  UFFD_FEATURE_MOVE | UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC)

/*
 * Held across fork() and across every change of an fd that may name a
 * registered userfaultfd.  A fork with UFFD_FEATURE_EVENT_FORK waits until
 * the handler reads the event, and the child, not yet running, holds a
 * copy of every fd: a slot replaced in between, or the last other fd of a
 * slot's userfaultfd closed, would leave the event on a userfaultfd that
 * only the child can read (a deadlock of the program; the kernel lets it
 * be killed).
 */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

/* Replace a slot with a new userfaultfd, API'd with random features. */
static void new_uffd(struct rng *r)
{
	int slot = UFFD_FD_BASE + below(r, NR_UFFDS);
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	char args[64];

	if (fd < 0)
		fail("userfaultfd: %s", strerror(errno));
	/* mostly RWP, the rest of the time anything */
	api.features = below(r, 4) ? UFFD_FEATURE_RWP | rnd_bits(r, FEATURES) :
				     rnd_bits(r, FEATURES);
	if (!below(r, 16))
		api.api = rnd(r);
	snprintf(args, sizeof(args), "features 0x%llx", (unsigned long long)api.features);
	check(OP_API, ioctl(fd, UFFDIO_API, &api), fd, args);
	pthread_mutex_lock(&slots_lock);
	if (below(r, 8)) {
		if (dup3(fd, slot, O_CLOEXEC) < 0)
			fail("dup3: %s", strerror(errno));
	} else {
		close(slot);		/* an empty slot now and then */
	}
	/*
	 * Under the lock too: once in the slot, fd names a userfaultfd that
	 * another thread may register ranges with and replace, and a fork
	 * between that replacement and this close would copy fd as the
	 * userfaultfd's last reference into the child.
	 */
	close(fd);
	pthread_mutex_unlock(&slots_lock);
}

static void uffd_op(struct rng *r)
{
	int fd = rnd_uffd(r);
	struct uffdio_range range = { rnd_addr(r), rnd_len(r) };
	unsigned int k = below(r, 8);
	char args[96];
	long ret;

	/* half the time: a registered range, or a page-aligned part of it */
	if (below(r, 2) && atomic_load(&recent[k].len)) {
		uint64_t len = atomic_load(&recent[k].len) / page;
		uint64_t first = below(r, 2) ? 0 : below(r, len);

		range.start = atomic_load(&recent[k].start) + first * page;
		if (below(r, 4))
			fd = atomic_load(&recent[k].fd);
		range.len = (below(r, 2) ? len - first : 1 + below(r, len - first)) * page;
	}

	range.len = clamp(range.start, range.len);
	snprintf(args, sizeof(args), "start 0x%llx len 0x%llx",
		 (unsigned long long)range.start, (unsigned long long)range.len);
	k = below(r, 14);
	doing("uffd op %u on fd %d, %s", k, fd, args);
	switch (k) {
	case 0:
		new_uffd(r);
		break;
	case 1: case 2: {
		struct uffdio_register reg = { .range = range, .mode = rnd_bits(r, 0xf) };

		if (below(r, 2))
			reg.mode = UFFDIO_REGISTER_MODE_RWP |
				   (below(r, 3) ? 0 : UFFDIO_REGISTER_MODE_MISSING);
		ret = ioctl(fd, UFFDIO_REGISTER, rnd_ptr(r, &reg));
		check(OP_REGISTER, ret, fd, args);
		if (!ret)
			remember(fd, range.start, range.len);
		break;
	}
	case 3:
		check(OP_UNREGISTER, ioctl(fd, UFFDIO_UNREGISTER, rnd_ptr(r, &range)), fd, args);
		break;
	case 4: case 5: case 6: {
		struct uffdio_rwprotect rwp = { range, rnd_bits(r, 3) };

		check(OP_RWPROTECT, ioctl(fd, UFFDIO_RWPROTECT, rnd_ptr(r, &rwp)), fd, args);
		break;
	}
	case 7: {
		struct uffdio_writeprotect wp = { range, rnd_bits(r, 3) };

		check(OP_WRITEPROTECT, ioctl(fd, UFFDIO_WRITEPROTECT, rnd_ptr(r, &wp)), fd, args);
		break;
	}
	case 8: {
		struct uffdio_set_mode mode = {
			rnd_bits(r, UFFD_FEATURE_RWP_ASYNC), rnd_bits(r, UFFD_FEATURE_RWP_ASYNC),
		};

		check(OP_SET_MODE, ioctl(fd, UFFDIO_SET_MODE, rnd_ptr(r, &mode)), fd, args);
		break;
	}
	case 9:
		check(OP_WAKE, ioctl(fd, UFFDIO_WAKE, rnd_ptr(r, &range)), fd, args);
		break;
	case 10: {
		struct uffdio_copy copy = {
			.dst = range.start, .src = (uintptr_t)rnd_ptr(r, src_buf),
			.len = below(r, 2) ? page : range.len, .mode = rnd_bits(r, 3),
		};

		check(OP_COPY, ioctl(fd, UFFDIO_COPY, rnd_ptr(r, &copy)), fd, args);
		break;
	}
	case 11: {
		struct uffdio_zeropage zp = { .range = range, .mode = rnd_bits(r, 1) };

		check(OP_ZEROPAGE, ioctl(fd, UFFDIO_ZEROPAGE, rnd_ptr(r, &zp)), fd, args);
		break;
	}
	case 12: {
		struct uffdio_move mv = {
			.dst = range.start, .src = rnd_addr(r), .len = range.len,
			.mode = rnd_bits(r, 3),
		};

		mv.len = clamp(mv.src, mv.len);

		check(OP_MOVE, ioctl(fd, UFFDIO_MOVE, rnd_ptr(r, &mv)), fd, args);
		break;
	}
	case 13: {
		static __thread struct page_region vec[64];
		bool sane = below(r, 2);
		struct pm_scan_arg arg = {
			.size = below(r, 16) ? sizeof(arg) : rnd(r) & 0xff,
			.flags = rnd_bits(r, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC),
			.start = range.start, .end = range.start + range.len,
			.vec = (uintptr_t)rnd_arena_ptr(r, vec), .vec_len = below(r, 66),
			.max_pages = below(r, 4) ? 0 : below(r, 100),
			.category_inverted = rnd_bits(r, 0x3ff),
			.category_mask = rnd_bits(r, 0x3ff),
			.category_anyof_mask = rnd_bits(r, 0x3ff),
			.return_mask = rnd_bits(r, 0x3ff),
		};

		if (sane) {	/* what a tracker asks */
			arg.size = sizeof(arg);
			arg.flags = 0;
			arg.vec = (uintptr_t)vec;
			arg.vec_len = 64;
			arg.category_inverted = below(r, 2) ? PAGE_IS_ACCESSED : 0;
			arg.category_mask = PAGE_IS_ACCESSED;
			arg.category_anyof_mask = below(r, 2) ? PAGE_IS_PRESENT | PAGE_IS_SWAPPED : 0;
			arg.return_mask = PAGE_IS_ACCESSED | PAGE_IS_PRESENT | PAGE_IS_WRITTEN;
		}
		check(OP_SCAN, ioctl(pagemap, PAGEMAP_SCAN, rnd_arena_ptr(r, &arg)), pagemap, args);
		break;
	}
	}
}

/* The arena's layout changes under the ioctls. */
static void map_op(struct rng *r)
{
	size_t off = below(r, ARENA_PAGES) * page;
	size_t len = page * (1 + below(r, 1024));
	char *addr;
	int k;

	if (below(r, 4) == 0)		/* huge-page aligned */
		off &= ~(HPAGE - 1);
	if (off + len > arena_len)
		len = arena_len - off;
	addr = arena + off;
	k = below(r, 10);
	doing("map op %d at arena+0x%zx len 0x%zx", k, off, len);
	switch (k) {
	case 0: {			/* a new mapping: anon, shmem, hugetlb */
		int kind = below(r, 3), prot = PROT_READ | PROT_WRITE;
		void *p;

		if (kind == 2 && hugefd >= 0) {
			off &= ~(HPAGE - 1);
			len = (len + HPAGE - 1) & ~(HPAGE - 1);
			if (off + len > arena_len)
				break;
			p = mmap(arena + off, len, prot, MAP_SHARED | MAP_FIXED, hugefd, 0);
		} else if (kind == 1) {
			p = mmap(addr, len, prot, (below(r, 2) ? MAP_SHARED : MAP_PRIVATE) |
				 MAP_FIXED, memfd, off);
		} else {
			p = mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		}
		(void)p;		/* ENOMEM (no huge pages): fine */
		break;
	}
	case 1:				/* "munmap": back to reserved */
		mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
		     MAP_NORESERVE, -1, 0);
		break;
	case 2: case 3:
		mprotect(addr, len, below(r, 4) ? PROT_READ | PROT_WRITE :
			 below(r, 2) ? PROT_READ : PROT_NONE);
		break;
	case 4: {			/* move a part elsewhere in the arena */
		size_t to = below(r, ARENA_PAGES) * page;

		if (to + len <= arena_len && (to + len <= off || off + len <= to))
			mremap(addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, arena + to);
		break;
	}
	default: {
		static const int advice[] = {
			MADV_DONTNEED, MADV_PAGEOUT, MADV_COLD, MADV_HUGEPAGE,
			MADV_NOHUGEPAGE, MADV_COLLAPSE, MADV_REMOVE, MADV_FREE,
			MADV_WILLNEED,
		};

		madvise(addr, len, advice[below(r, sizeof(advice) / sizeof(advice[0]))]);
	}
	}
}

/* ---- memory accesses, which fault ---- */

static __thread sigjmp_buf *fault_jmp;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int n;

	(void)uc;
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	n = snprintf(msg, sizeof(msg),
		     "rwp-fuzz: FAIL: signal %d (code %d) at %p outside an access, thread at: %s\n",
		     sig, si->si_code, si->si_addr, now_buf ? now_buf : "?");
	if (write(1, msg, n) < 0)
		_exit(4);
	_exit(3);
}

static void touch(volatile char *p, bool write, char v)
{
	sigjmp_buf jb;

	fault_jmp = &jb;
	if (!sigsetjmp(jb, 1)) {
		if (write)
			*p = v;
		else
			(void)*p;
	}
	fault_jmp = NULL;
}

static void access_op(struct rng *r)
{
	size_t off = below(r, arena_len);
	bool write = below(r, 2);

	doing("%s arena+0x%zx", write ? "write" : "read", off);
	touch(arena + off, write, (char)rnd(r));
}

static void show_file(const char *what, const char *path);

/* The page of a stuck child's last access: its pagemap entry, its
 * PAGEMAP_SCAN categories and the smaps of its mapping. */
static void show_child_page(pid_t pid, const char *now)
{
	const char *at = strstr(now, "arena+0x");
	struct page_region reg = { 0 };
	struct pm_scan_arg arg = { .size = sizeof(arg) };
	uint64_t ent = 0;
	uintptr_t addr, start, end;
	char path[64], line[256];
	bool in = false;
	FILE *f;
	int fd;

	if (!at)
		return;
	addr = (uintptr_t)arena + strtoul(at + 6, NULL, 16);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	if (pread(fd, &ent, sizeof(ent), addr / page * sizeof(ent)) != sizeof(ent))
		ent = 0;
	arg.start = addr & ~(page - 1);
	arg.end = arg.start + page;
	arg.vec = (uintptr_t)&reg;
	arg.vec_len = 1;
	arg.return_mask = PAGE_IS_WPALLOWED | PAGE_IS_WRITTEN | PAGE_IS_FILE |
			  PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_PFNZERO |
			  PAGE_IS_HUGE | PAGE_IS_SOFT_DIRTY | PAGE_IS_ACCESSED;
	printf("rwp-fuzz: page 0x%lx of %d: pagemap 0x%016llx, PAGEMAP_SCAN %ld, categories 0x%llx\n",
	       (unsigned long)addr, pid, (unsigned long long)ent, (long)ioctl(fd, PAGEMAP_SCAN, &arg),
	       (unsigned long long)reg.categories);
	close(fd);
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)	/* a mapping's first line */
			in = start <= addr && addr < end;
		if (in)
			printf("  %s", line);
	}
	if (f)
		fclose(f);
}

/* Where a forked child is stuck, while it is: its last operation (it
 * writes into the parent thread's shared progress buffer) and /proc. */
static void show_child(pid_t pid)
{
	static const char *const files[] = { "stack", "wchan", "stat", "syscall" };
	char path[64];
	unsigned int i;

	printf("rwp-fuzz: forked child %d is stuck at: %s\n", pid, now_buf);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
		show_file(files[i], path);
	}
	show_child_page(pid, now_buf);
	show_child_page(getpid(), now_buf);	/* the parent's */
	fflush(stdout);
}

/* A fork: the child touches a few pages and exits (its faults may go to
 * a child userfaultfd the handler gets with UFFD_EVENT_FORK). */
static void fork_op(struct rng *r)
{
	struct pollfd exited;
	pid_t pid;
	int i;

	doing("fork");
	pthread_mutex_lock(&slots_lock);
	pid = fork();
	if (pid)
		pthread_mutex_unlock(&slots_lock);

	if (pid < 0)
		return;
	if (!pid) {
		alarm(WATCHDOG_S);	/* never outlive a stuck handler */
		for (i = 0; i < 8; i++)
			access_op(r);
		_exit(0);
	}
	/* the child has WATCHDOG_S; report it a little before */
	exited = (struct pollfd){ .fd = syscall(SYS_pidfd_open, pid, 0), .events = POLLIN };
	if (exited.fd >= 0 && !poll(&exited, 1, (WATCHDOG_S - 5) * 1000))
		show_child(pid);
	if (exited.fd >= 0)
		close(exited.fd);
	if (waitpid(pid, &i, 0) == pid && WIFSIGNALED(i) && WTERMSIG(i) == SIGALRM)
		fail("a forked child was stuck for %d s", WATCHDOG_S);
}

/* ---- threads ---- */


struct worker {
	pthread_t thread;
	struct rng rng;
	atomic_long beat;		/* progress, for the watchdog */
	const char *what;		/* what it does */
	pid_t tid;
	char now[160];			/* its current operation */
	void (*step)(struct rng *r);
	atomic_bool joined;		/* finished, for the monitor */
};

static void fuzz_step(struct rng *r)
{
	uffd_op(r);
}

static void chaos_step(struct rng *r)
{
	switch (below(r, 20)) {
	case 0:
		fork_op(r);
		break;
	case 1: case 2: case 3: case 4: case 5:
		access_op(r);
		break;
	default:
		map_op(r);
	}
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	w->tid = gettid();
	now_buf = w->now;
	while (!atomic_load(&stop) && atomic_fetch_sub(&ops_left, 1) > 0) {
		w->step(&w->rng);
		atomic_fetch_add(&w->beat, 1);
	}
	return NULL;
}

/* Serves every fault so that no access waits for long, closes the
 * userfaultfds that forks hand over. */
static void *handler_fn(void *arg)
{
	struct worker *w = arg;

	uint64_t last_addr = 0;
	int repeats = 0;

	w->tid = gettid();
	now_buf = w->now;

	/*
	 * Until every worker has finished: the last fork of the mappings
	 * thread may still wait for its UFFD_EVENT_FORK to be read.
	 */
	while (!atomic_load(&handler_stop)) {
		struct pollfd pfd[NR_UFFDS];
		struct uffd_msg msg[8];
		int i, j;

		for (i = 0; i < NR_UFFDS; i++)
			pfd[i] = (struct pollfd){ .fd = UFFD_FD_BASE + i, .events = POLLIN };
		atomic_fetch_add(&w->beat, 1);
		/*
		 * An empty slot (POLLNVAL) or one whose UFFDIO_API failed
		 * (POLLERR) is ready at once: wait on the others only, or the
		 * handler spins.
		 */
		if (poll(pfd, NR_UFFDS, 0) < 0)
			continue;
		for (i = j = 0; i < NR_UFFDS; i++) {
			j |= pfd[i].revents & POLLIN;
			if (pfd[i].revents & (POLLERR | POLLNVAL))
				pfd[i].fd = -1;
		}
		if (!j && poll(pfd, NR_UFFDS, 100) <= 0)
			continue;
		for (i = 0; i < NR_UFFDS; i++) {
			ssize_t n;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = read(pfd[i].fd, msg, sizeof(msg));
			/* for the watchdog's report: the last read that failed */
			if (n < 0 && errno != EAGAIN)
				snprintf(w->now, sizeof(w->now), "read of fd %d failed: %s",
					 pfd[i].fd, strerror(errno));
			for (j = 0; j < n / (ssize_t)sizeof(msg[0]); j++) {
				struct uffdio_range range = {
					msg[j].arg.pagefault.address & ~(page - 1), page,
				};
				struct uffdio_rwprotect rwp = { range, 0 };
				struct uffdio_writeprotect wp = { range, 0 };
				struct uffdio_zeropage zp = { .range = range };
				struct uffdio_range hrange = {
					range.start & ~(HPAGE - 1), HPAGE,
				};
				struct uffdio_continue cont = { .range = range };
				struct uffdio_continue hcont = { .range = hrange };
				struct uffdio_copy hcopy = {
					.dst = hrange.start, .src = (uintptr_t)src_buf,
					.len = HPAGE,
				};

				if (msg[j].event == UFFD_EVENT_FORK) {
					close(msg[j].arg.fork.ufd);
					continue;
				}
				if (msg[j].event != UFFD_EVENT_PAGEFAULT)
					continue;
				/* resolve what it can, then wake in any case */
				if (msg[j].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_RWP) {
					ioctl(pfd[i].fd, UFFDIO_RWPROTECT, &rwp);
				} else if (msg[j].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
					ioctl(pfd[i].fd, UFFDIO_WRITEPROTECT, &wp);
				} else if (msg[j].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
					if (ioctl(pfd[i].fd, UFFDIO_CONTINUE, &cont) && errno == EINVAL)
						ioctl(pfd[i].fd, UFFDIO_CONTINUE, &hcont);
				} else if (ioctl(pfd[i].fd, UFFDIO_ZEROPAGE, &zp) && errno == EINVAL) {
					ioctl(pfd[i].fd, UFFDIO_COPY, &hcopy);	/* hugetlb */
				}
				/*
				 * A fault that keeps coming back (the range
				 * changed under the handler's answers): give
				 * up the range, so that the access completes.
				 */
				if (range.start == last_addr && ++repeats > 1000) {
					ioctl(pfd[i].fd, UFFDIO_UNREGISTER, &hrange);
					repeats = 0;
				} else if (range.start != last_addr) {
					last_addr = range.start;
					repeats = 0;
				}
				ioctl(pfd[i].fd, UFFDIO_WAKE, &range);
			}
		}
	}
	return NULL;
}

static void show_file(const char *what, const char *path)
{
	char buf[4096];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = 0;
		printf("rwp-fuzz: %s:\n%s%s", what, buf, buf[n - 1] == '\n' ? "" : "\n");
	}
}

/* Where a stuck thread waits, from /proc of the fuzzer (pid). */
static void show_stuck(pid_t pid, struct worker *w)
{
	char path[64];

	printf("rwp-fuzz: the %s thread (tid %d) is at: %s\n", w->what, w->tid, w->now);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, w->tid);
	show_file("its kernel stack", path);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, w->tid);
	show_file("it waits in", path);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, w->tid);
	show_file("its stat", path);
	fflush(stdout);
}

/* Every userfaultfd the fuzzer has open, slots or not, with its fdinfo. */
static void show_uffds(pid_t pid)
{
	char path[64], link[64], what[48];
	ssize_t len;
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (!strstr(link, "userfaultfd"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
		snprintf(what, sizeof(what), "fd %d%s", fd,
			 fd >= UFFD_FD_BASE && fd < UFFD_FD_BASE + NR_UFFDS ? " (a slot)" : "");
		show_file(what, path);
	}
	fflush(stdout);
}

/*
 * The watchdog is a process of its own: a hang that blocks the whole
 * fuzzer (its mm, say) must not silence it.  It reads the workers'
 * heartbeats from shared memory, and on a stall reports where every
 * thread waits and kills the fuzzer.
 */
static pid_t start_monitor(struct worker *w, int nr)
{
	pid_t fuzzer = getpid(), pid = fork();
	long last[8] = { 0 };
	int idle[8] = { 0 }, i;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		sleep(1);
		for (i = 0; i < nr; i++) {
			long b = atomic_load(&w[i].beat);

			idle[i] = b == last[i] && !atomic_load(&w[i].joined) ? idle[i] + 1 : 0;
			last[i] = b;
			if (idle[i] < WATCHDOG_S)
				continue;
			printf("rwp-fuzz: FAIL: the %s thread made no progress for %d s\n",
			       w[i].what, WATCHDOG_S);
			for (i = 0; i < nr; i++)
				show_stuck(fuzzer, &w[i]);
			show_uffds(fuzzer);
			kill(fuzzer, SIGKILL);
			_exit(1);
		}
	}
}

static void print_stats(double secs, long total)
{
	int op;

	printf("rwp-fuzz: %ld operations in %.1f s (%.0f/s)\n", total, secs, total / secs);
	for (op = 0; op < NR_OPS; op++)
		printf("  %-20s %8ld calls %8ld ok\n", table[op].name,
		       atomic_load(&stats[op].calls), atomic_load(&stats[op].ok));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_NODEFER | SA_SIGINFO };
	static const struct worker init[4] = {
		{ .what = "ioctls", .step = fuzz_step },
		{ .what = "ioctls", .step = fuzz_step },
		{ .what = "mappings and accesses", .step = chaos_step },
		{ .what = "fault handler" },
	};
	struct worker *w;
	pid_t monitor;
	unsigned long seed = 1, seconds = 60;
	long ops = 100000;
	struct timespec t0, t1;
	int opt, i;
	double secs;

	while ((opt = getopt(argc, argv, "s:n:t:l")) != -1) {
		switch (opt) {
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'n': ops = strtol(optarg, NULL, 0); break;
		case 't': seconds = strtoul(optarg, NULL, 0); break;
		case 'l':
			for (i = 0; i < NR_OPS; i++) {
				int j;

				printf("%s", table[i].name);
				for (j = 0; j < 12 && table[i].errnos[j]; j++)
					printf(" %s", strerrorname_np(table[i].errnos[j]));
				putchar('\n');
			}
			return 0;
		default:
			fprintf(stderr, "usage: rwp-fuzz [-s seed] [-n operations] [-t seconds] [-l]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("rwp-fuzz: seed %lu, %ld operations, at most %lu s\n", seed, ops, seconds);
	page = sysconf(_SC_PAGESIZE);
	arena_len = ARENA_PAGES * page;
	/* the arena, with a reserved guard of at least GUARD on either side */
	arena = mmap(NULL, arena_len + 2 * GUARD + HPAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		fail("mmap arena: %s", strerror(errno));
	arena = (char *)(((uintptr_t)arena + GUARD + HPAGE - 1) & ~(HPAGE - 1));
	memfd = memfd_create("rwp-fuzz", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, arena_len))
		fail("memfd: %s", strerror(errno));
	hugefd = memfd_create("rwp-fuzz-huge", MFD_CLOEXEC | MFD_HUGETLB);
	if (hugefd >= 0 && ftruncate(hugefd, arena_len))
		hugefd = -1;
	if (hugefd < 0)
		printf("rwp-fuzz: no hugetlb memfd (%s): no hugetlb mappings\n", strerror(errno));
	/* to start with: anonymous (THP), shmem, hugetlb, a quarter each */
	if (mmap(arena, arena_len / 2, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    madvise(arena, arena_len / 4, MADV_HUGEPAGE) ||
	    mmap(arena + arena_len / 2, arena_len / 4, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, memfd, 0) == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	if (hugefd >= 0)
		mmap(arena + 3 * arena_len / 4, arena_len / 4, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_FIXED, hugefd, 0);
	memset(arena, 1, arena_len / 2);
	pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	src_buf = aligned_alloc(HPAGE, 4 * HPAGE);
	if (pagemap < 0 || !src_buf)
		fail("pagemap: %s", strerror(errno));
	memset(src_buf, 0x5a, 4 * HPAGE);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGCHLD, SIG_DFL);

	w = mmap(NULL, sizeof(init), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	memcpy(w, init, sizeof(init));
	monitor = start_monitor(w, 4);
	atomic_store(&ops_left, ops);
	/*
	 * The handler first: glibc's fork() holds the malloc locks while it
	 * waits for its UFFD_EVENT_FORK to be read, and pthread_create()
	 * allocates, so a handler created after the first fork may never run.
	 */
	for (i = 3; i >= 0; i--) {
		w[i].rng.s = seed * 0x9e3779b97f4a7c15ULL + i + 1;
		if (i < 3)
			new_uffd(&w[i].rng);
		if (pthread_create(&w[i].thread, NULL, w[i].step ? worker_fn : handler_fn, &w[i]))
			fail("pthread_create");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the time limit; the monitor looks after stalls */
	for (;;) {
		bool done = true;

		sleep(1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs > seconds)
			atomic_store(&stop, 1);
		for (i = 0; i < 3; i++) {
			if (!atomic_load(&w[i].joined))
				atomic_store(&w[i].joined,
					     pthread_tryjoin_np(w[i].thread, NULL) == 0);
			done &= atomic_load(&w[i].joined);
		}
		if (done)
			break;
	}
	atomic_store(&handler_stop, 1);
	pthread_join(w[3].thread, NULL);
	kill(monitor, SIGKILL);
	waitpid(monitor, NULL, 0);
	print_stats(secs, ops - (atomic_load(&ops_left) > 0 ? atomic_load(&ops_left) : 0));
	printf("rwp-fuzz: every return was success or a documented errno\n");
	return 0;
}
