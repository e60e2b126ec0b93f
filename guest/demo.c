// SPDX-License-Identifier: GPL-2.0
/*
 * Working-set tracking with userfaultfd read-write protection (RWP).
 *
 * A "guest" thread keeps touching a hot set of pages inside a larger
 * region.  Each interval the tracker protects the whole region with
 * UFFDIO_RWPROTECT; every page the guest touches afterwards faults once,
 * the tracker records it and gives the page back.  What faulted is the
 * working set; the rest is cold and is evicted (MADV_PAGEOUT) while still
 * protected, so a late access cannot race with the eviction.  Finally the
 * data of every page is verified.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
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

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define REGION_MB	64
#define HOT_PAGES	1024	/* 4 MiB hot set */
#define INTERVALS	3

static char *region;
static size_t page, npages;
static atomic_int stop;
static atomic_uint_fast64_t guest_ops;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "rwp-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The hot set: every 16th page, HOT_PAGES of them. */
static size_t hot_page(size_t i)
{
	return (i * 16) % npages;
}

static void *guest(void *arg)
{
	uint64_t n = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		size_t p = hot_page(n % HOT_PAGES);
		volatile uint64_t *w = (uint64_t *)(region + p * page);

		*w = *w + 1;	/* read and write the page's counter */
		n++;
		atomic_store(&guest_ops, n);
	}
	return NULL;
}

static void rwprotect(int uffd, size_t first, size_t count, int protect)
{
	struct uffdio_rwprotect rwp = {
		.range = { .start = (uintptr_t)region + first * page,
			   .len = count * page },
		.mode = protect ? UFFDIO_RWPROTECT_MODE_RWP : 0,
	};

	while (ioctl(uffd, UFFDIO_RWPROTECT, &rwp)) {
		if (errno != EAGAIN)
			die("UFFDIO_RWPROTECT");
	}
}

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_RWP };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_RWP };
	unsigned char *seen;
	pthread_t thread;
	size_t i, j;
	int uffd;

	page = sysconf(_SC_PAGESIZE);
	npages = (size_t)REGION_MB << 20 >> __builtin_ctzl(page);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		die("userfaultfd");
	if (ioctl(uffd, UFFDIO_API, &api)) {
		printf("rwp-demo: this kernel has no UFFD_FEATURE_RWP (%s)\n",
		       strerror(errno));
		return 1;
	}

	region = mmap(NULL, npages * page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		die("mmap");
	madvise(region, npages * page, MADV_NOHUGEPAGE);
	for (i = 0; i < npages; i++)
		*(uint64_t *)(region + i * page) = (uint64_t)i << 32;

	reg.range.start = (uintptr_t)region;
	reg.range.len = npages * page;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");

	seen = calloc(npages, 1);
	printf("rwp-demo: %d MiB region (%zu pages), hot set %d pages\n",
	       REGION_MB, npages, HOT_PAGES);
	if (pthread_create(&thread, NULL, guest, NULL))
		die("pthread_create");

	for (j = 0; j < INTERVALS; j++) {
		size_t faults = 0, hot_found = 0, cold = 0;
		double t0 = now_ms(), t_prot, t_end;
		uint64_t ops0, last_ops = 0;
		int idle = 0;

		memset(seen, 0, npages);
		rwprotect(uffd, 0, npages, 1);
		t_prot = now_ms();
		ops0 = atomic_load(&guest_ops);

		/* Serve faults until the guest made enough progress. */
		while (atomic_load(&guest_ops) < ops0 + 4 * HOT_PAGES) {
			struct pollfd pfd = { .fd = uffd, .events = POLLIN };
			struct uffd_msg msg;

			/*
			 * Once every hot page is given back the guest runs
			 * without faulting: re-check its progress often, and
			 * give up only if it neither faults nor progresses.
			 */
			if (poll(&pfd, 1, 100) != 1) {
				uint64_t ops = atomic_load(&guest_ops);

				if (ops == last_ops && ++idle > 50) {
					fprintf(stderr, "rwp-demo: guest stuck for 5 s\n");
					return 1;
				}
				if (ops != last_ops)
					idle = 0;
				last_ops = ops;
				continue;
			}
			if (read(uffd, &msg, sizeof(msg)) != sizeof(msg)) {
				if (errno == EAGAIN)
					continue;
				die("read");
			}
			if (msg.event != UFFD_EVENT_PAGEFAULT ||
			    !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_RWP)) {
				fprintf(stderr, "rwp-demo: unexpected message\n");
				return 1;
			}
			i = (msg.arg.pagefault.address - (uintptr_t)region) / page;
			if (!seen[i]) {
				seen[i] = 1;
				faults++;
			}
			rwprotect(uffd, i, 1, 0);
		}
		t_end = now_ms();

		for (i = 0; i < HOT_PAGES; i++)
			hot_found += seen[hot_page(i)];
		/* Evict what stayed cold, still protected. */
		for (i = 0; i < npages; i++) {
			if (seen[i])
				continue;
			madvise(region + i * page, page, MADV_PAGEOUT);
			cold++;
		}
		printf("interval %zu: protect %.1f ms, working set %zu pages "
		       "(%zu of %d hot pages found, %zu other), %zu cold pages "
		       "paged out, %.1f ms\n", j + 1, t_prot - t0, faults,
		       hot_found, HOT_PAGES, faults - hot_found, cold,
		       t_end - t_prot);
		if (hot_found != HOT_PAGES || faults != HOT_PAGES) {
			fprintf(stderr, "rwp-demo: working set is wrong\n");
			return 1;
		}
	}
	atomic_store(&stop, 1);
	pthread_join(thread, NULL);

	/* Give everything back (unregister) and check every page's data. */
	if (ioctl(uffd, UFFDIO_UNREGISTER, &reg.range))
		die("UFFDIO_UNREGISTER");
	for (i = 0; i < npages; i++) {
		uint64_t v = *(uint64_t *)(region + i * page);

		if (v >> 32 != i) {
			fprintf(stderr, "rwp-demo: page %zu lost its data\n", i);
			return 1;
		}
	}
	printf("rwp-demo: all %zu pages intact after protect, eviction and "
	       "unregister\n", npages);
	return 0;
}
