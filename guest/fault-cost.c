// SPDX-License-Identifier: GPL-2.0
/*
 * First-access cost after protection, side by side in one run:
 *
 *   rwp-async   UFFD_FEATURE_RWP_ASYNC: resolved in the kernel
 *   rwp-sync    a userfaultfd message and UFFDIO_RWPROTECT per page
 *   wp-async    uffd write protection with UFFD_FEATURE_WP_ASYNC (writes)
 *   mprotect    mprotect(PROT_NONE), SIGSEGV handler mprotect()s it back
 *
 * and the cost of protecting the whole region with each mechanism.  The
 * region is anonymous memory without THPs, populated before each round.
 * Each figure is the median of ROUNDS rounds.  Under TCG the absolute
 * numbers are those of an emulated CPU; the ratios are what to look at.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#define NPAGES	8192		/* 32 MiB of 4 KiB pages */
#define ROUNDS	5

static char *region;
static size_t page, len;

#define die(...) do { fprintf(stderr, "fault-cost: " __VA_ARGS__); \
		      fprintf(stderr, ": %s\n", strerror(errno)); exit(1); } while (0)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int uffd_new(uint64_t features, uint64_t mode)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)region, .len = len },
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

static void rwprotect(int fd, void *addr, size_t size, uint64_t mode)
{
	struct uffdio_rwprotect rwp = {
		.range = { .start = (unsigned long)addr, .len = size },
		.mode = mode,
	};

	if (ioctl(fd, UFFDIO_RWPROTECT, &rwp))
		die("UFFDIO_RWPROTECT");
}

static void writeprotect(int fd, uint64_t mode)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (unsigned long)region, .len = len },
		.mode = mode,
	};

	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp))
		die("UFFDIO_WRITEPROTECT");
}

/* Fresh populated region without THPs, every page holding its number */
static void region_new(void)
{
	size_t i;

	region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		die("mmap");
	if (madvise(region, len, MADV_NOHUGEPAGE))
		die("MADV_NOHUGEPAGE");
	for (i = 0; i < NPAGES; i++)
		memset(region + i * page, (int)(i % 251), page);
}

static void region_free(void)
{
	munmap(region, len);
}

/* Touch every page once; returns ns per page.  Checks the data read. */
static double touch_all(int write)
{
	volatile char *p;
	double t0, t1;
	size_t i;

	t0 = now_ns();
	for (i = 0; i < NPAGES; i++) {
		p = region + i * page;
		if (write)
			*p = (char)(i % 251);
		else if (*p != (char)(i % 251))
			die("page %zu holds the wrong data", i);
	}
	t1 = now_ns();
	return (t1 - t0) / NPAGES;
}

struct costs {
	double protect;		/* ns per page to protect the region */
	double access;		/* ns per first access */
};

/*
 * Register the region with @features and @mode, protect all of it with
 * @protect (timed) and touch every page (timed).
 */
static struct costs measure_async(uint64_t features, uint64_t mode,
				  void (*protect)(int fd), int write)
{
	struct costs c;
	double t0;
	int fd;

	region_new();
	fd = uffd_new(features, mode);
	t0 = now_ns();
	protect(fd);
	c.protect = (now_ns() - t0) / NPAGES;
	c.access = touch_all(write);
	close(fd);
	region_free();
	return c;
}

static void rwprotect_all(int fd)
{
	rwprotect(fd, region, len, UFFDIO_RWPROTECT_MODE_RWP);
}

static void writeprotect_all(int fd)
{
	writeprotect(fd, UFFDIO_WRITEPROTECT_MODE_WP);
}

static void *rwp_handler(void *arg)
{
	int fd = (int)(long)arg;
	struct uffd_msg msg;
	size_t served;

	for (served = 0; served < NPAGES; served++) {
		if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
			die("read(uffd)");
		if (msg.event != UFFD_EVENT_PAGEFAULT ||
		    !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_RWP))
			die("unexpected message");
		rwprotect(fd, (void *)(msg.arg.pagefault.address & ~(page - 1)),
			  page, 0);
	}
	return NULL;
}

static struct costs measure_rwp_sync(void)
{
	struct costs c;
	pthread_t t;
	double t0;
	int fd;

	region_new();
	fd = uffd_new(UFFD_FEATURE_RWP, UFFDIO_REGISTER_MODE_RWP);
	t0 = now_ns();
	rwprotect(fd, region, len, UFFDIO_RWPROTECT_MODE_RWP);
	c.protect = (now_ns() - t0) / NPAGES;
	if (pthread_create(&t, NULL, rwp_handler, (void *)(long)fd))
		die("pthread_create");
	c.access = touch_all(0);
	pthread_join(t, NULL);
	close(fd);
	region_free();
	return c;
}

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	void *addr = (void *)((unsigned long)si->si_addr & ~(page - 1));

	(void)sig;
	(void)uc;

	if (mprotect(addr, page, PROT_READ | PROT_WRITE))
		abort();
}

static struct costs measure_mprotect(void)
{
	struct sigaction sa = { .sa_sigaction = segv_handler,
				.sa_flags = SA_SIGINFO };
	struct costs c;
	double t0;

	if (sigaction(SIGSEGV, &sa, NULL))
		die("sigaction");
	region_new();
	t0 = now_ns();
	if (mprotect(region, len, PROT_NONE))
		die("mprotect");
	c.protect = (now_ns() - t0) / NPAGES;
	c.access = touch_all(0);
	region_free();
	signal(SIGSEGV, SIG_DFL);
	return c;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp);
	return v[ROUNDS / 2];
}

static struct costs measure_rwp_async(int write)
{
	return measure_async(UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC,
			     UFFDIO_REGISTER_MODE_RWP, rwprotect_all, write);
}

static struct costs measure_rwp_async_read(void)
{
	return measure_rwp_async(0);
}

static struct costs measure_rwp_async_write(void)
{
	return measure_rwp_async(1);
}

static struct costs measure_wp_async(void)
{
	return measure_async(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED,
			     UFFDIO_REGISTER_MODE_WP, writeprotect_all, 1);
}

/* The methods compared; ratios are relative to the first one */
static const struct {
	const char *name;
	struct costs (*measure)(void);
} methods[] = {
	{ "rwp-async read", measure_rwp_async_read },
	{ "rwp-async write", measure_rwp_async_write },
	{ "rwp-sync read (round trip)", measure_rwp_sync },
	{ "wp-async write", measure_wp_async },
	{ "mprotect+SIGSEGV read", measure_mprotect },
};
#define NR_METHODS	(sizeof(methods) / sizeof(methods[0]))

int main(void)
{
	double access[NR_METHODS][ROUNDS], protect[NR_METHODS][ROUNDS];
	double a[NR_METHODS], p[NR_METHODS];
	struct costs c;
	unsigned int m;
	int r;

	page = sysconf(_SC_PAGESIZE);
	len = NPAGES * page;
	for (r = 0; r < ROUNDS; r++) {
		for (m = 0; m < NR_METHODS; m++) {
			c = methods[m].measure();
			access[m][r] = c.access;
			protect[m][r] = c.protect;
		}
	}
	printf("# first access after protection, %d x 4 KiB anon pages, median of %d\n",
	       NPAGES, ROUNDS);
	printf("# %-28s %12s %8s %14s\n", "method", "ns/access", "ratio",
	       "protect ns/pg");
	for (m = 0; m < NR_METHODS; m++) {
		a[m] = median(access[m]);
		p[m] = median(protect[m]);
	}
	for (m = 0; m < NR_METHODS; m++)
		printf("# %-28s %12.0f %8.2f %14.1f\n", methods[m].name, a[m],
		       a[m] / a[0], p[m]);
	return 0;
}
