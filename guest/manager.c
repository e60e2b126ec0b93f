// SPDX-License-Identifier: GPL-2.0
/*
 * rwp-manager: the memory manager half of the working-set demonstration
 * (see demo.h).  rwp-vmm starts it with a Unix socket as fd 3 and sends it
 * the VMM's userfaultfd, registered MISSING | RWP (RWP only with -a) on the
 * vCPU view of guest memory, and the memfd behind guest memory.  The
 * manager maps the memfd a second time, unregistered: its "I/O view".
 *
 * Every interval:
 *   1. guest memory starts the interval protected (UFFDIO_RWPROTECT: once
 *      before the first interval, then by step 5 of the previous one) and
 *      in async mode: a vCPU's first access to a page costs a fault the
 *      kernel resolves by itself, no message;
 *   2. let the guest run;
 *   3. switch to sync mode (UFFDIO_SET_MODE): from now on an access to a
 *      protected page blocks its vCPU and the handler thread is told;
 *   4. PAGEMAP_SCAN /proc/<vmm>/pagemap: the pages without PAGE_IS_ACCESSED
 *      are cold;
 *   5. protect again for the next interval, still in sync mode, so that
 *      an access between the scan and this protect reaches the handler
 *      instead of being forgotten;
 *   6. evict pages cold for -k intervals: write them to the backing file
 *      from the I/O view with io_uring, then punch them out of the memfd.
 *      They stay protected meanwhile: a vCPU that touches one blocks, and
 *      the handler cancels the page's eviction before letting it go on;
 *   7. back to async mode.
 * The handler thread serves MISSING faults on evicted pages with
 * UFFDIO_COPY from the backing file, and sync RWP faults by resolving them.
 *
 * With anonymous guest memory (rwp-vmm -a) there is no memfd: eviction is
 * process_madvise(MADV_PAGEOUT) to swap, which keeps the protection, and a
 * refault is a swap-in.
 *
 * The rest is instrumentation: the manager moves the workload's phases on
 * and knows its layout, so it scores what it detected against the truth.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "demo.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#define QUEUE_DEPTH	64
#define SCAN_REGIONS	4096

enum page_state { RESIDENT, EVICTING, CANCELLED, EVICTED };

/* Options */
static unsigned int interval_ms = 1000, intervals = 16, cold_after = 2;
static const char *backing_path;	/* default: a temporary file in /tmp */
static const char *csv_path;
static bool tracking = true, json, recheck_scan = true;

static struct demo_hello hello;
static int sock, uffd, memfd = -1, pagemap, backing = -1, pidfd = -1;
static char *view;			/* the vCPU view, in the VMM */
static char *io_view;			/* the memfd, mapped here */
static size_t page, npages;
static struct io_uring ring;

/* Per page, under lock (the handler thread changes them too) */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *state, *late;
static uint8_t *age;			/* intervals cold, main thread only */
static uint8_t *was_swapped;		/* -a: swapped at the last scan or
					 * paged out since, main thread only */

/* The handler's counters, under lock; the main thread resets them */
static struct {
	uint64_t refaults, sync_faults;
	double lat_sum_us, lat_max_us;	/* from reading a message to its
					 * answer, waiting for an eviction
					 * in progress included */
	uint64_t lat_n;
} hs;
static bool in_window;			/* from the scan until the cold pages
					 * are listed (after the protect) */

static void die(const char *what)
{
	fprintf(stderr, "rwp-manager: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the userfaultfd ---- */

static void rwprotect(uint64_t start, uint64_t len, bool protect)
{
	struct uffdio_rwprotect rwp = {
		.range = { start, len },
		.mode = protect ? UFFDIO_RWPROTECT_MODE_RWP : 0,
	};

	/* EAGAIN: the VMM's mm was changing under us; try again */
	while (ioctl(uffd, UFFDIO_RWPROTECT, &rwp))
		if (errno != EAGAIN)
			die("UFFDIO_RWPROTECT");
}

static void set_async(bool async)
{
	struct uffdio_set_mode mode = { 0 };

	if (async)
		mode.enable = UFFD_FEATURE_RWP_ASYNC;
	else
		mode.disable = UFFD_FEATURE_RWP_ASYNC;
	if (ioctl(uffd, UFFDIO_SET_MODE, &mode))
		die("UFFDIO_SET_MODE");
}

/* An evicted page comes back from the backing file. */
static void serve_missing(uint64_t addr, size_t p, char *buf)
{
	struct uffdio_copy copy = {
		.dst = addr, .src = (uintptr_t)buf, .len = page,
	};
	struct uffdio_range range = { addr, page };
	bool evicted = state[p] == EVICTED;

	if (evicted) {
		if (pread(backing, buf, page, p * page) != (ssize_t)page)
			die("read the backing file");
	} else {
		memset(buf, 0, page);
	}
	if (ioctl(uffd, UFFDIO_COPY, &copy)) {
		/*
		 * EEXIST on a page no longer EVICTED: another vCPU's fault
		 * brought it in already; wake this one.  On an EVICTED page
		 * something else filled the hole: its contents are lost.
		 */
		if (errno != EEXIST || evicted || ioctl(uffd, UFFDIO_WAKE, &range))
			die("UFFDIO_COPY");
		return;
	}
	if (!evicted) {
		fprintf(stderr, "rwp-manager: MISSING fault on page %zu, never evicted\n", p);
		exit(1);
	}
	state[p] = RESIDENT;
	hs.refaults++;
}

static void *handler(void *arg)
{
	int stop = *(int *)arg;
	char *buf = aligned_alloc(page, page);
	struct pollfd pfd[2] = {
		{ .fd = uffd, .events = POLLIN }, { .fd = stop, .events = POLLIN },
	};
	struct uffd_msg msg[16];

	for (;;) {
		ssize_t n;
		int i;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			die("poll");
		if (pfd[1].revents)
			return NULL;
		n = read(uffd, msg, sizeof(msg));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("read the userfaultfd");
		}
		for (i = 0; i < n / (ssize_t)sizeof(msg[0]); i++) {
			uint64_t addr = msg[i].arg.pagefault.address & ~(page - 1);
			size_t p = (addr - (uintptr_t)view) / page;
			double t0 = now(), us;

			if (msg[i].event != UFFD_EVENT_PAGEFAULT || p >= npages) {
				fprintf(stderr, "rwp-manager: unexpected message %u\n",
					msg[i].event);
				exit(1);
			}
			pthread_mutex_lock(&lock);
			if (msg[i].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_RWP) {
				hs.sync_faults++;
				if (in_window)
					late[p] = 1;
				if (state[p] == EVICTING)
					state[p] = CANCELLED;
				rwprotect(addr, page, false);	/* and wake */
			} else {
				if (in_window)
					late[p] = 1;
				serve_missing(addr, p, buf);
			}
			us = (now() - t0) * 1e6;
			hs.lat_sum_us += us;
			hs.lat_n++;
			if (us > hs.lat_max_us)
				hs.lat_max_us = us;
			pthread_mutex_unlock(&lock);
		}
	}
}

/* ---- the VMM ---- */

static struct demo_reply ask(uint32_t op, uint32_t arg)
{
	struct demo_req req = { op, arg };
	struct demo_reply rep;

	errno = EPIPE;		/* for a short message or the VMM gone */
	if (send(sock, &req, sizeof(req), 0) != sizeof(req) ||
	    recv(sock, &rep, sizeof(rep), 0) != sizeof(rep))
		die("talking to the VMM");
	if (rep.status) {
		errno = rep.status;
		die(rep.status == ETIMEDOUT ?
		    "the vCPUs did not move on (a stranded fault?)" : "VMM request");
	}
	return rep;
}

static pid_t receive_hello(void)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { &hello, sizeof(hello) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fds[2] = { -1, -1 };

	errno = EPROTO;		/* for a short or foreign message */
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(hello) ||
	    hello.version != DEMO_VERSION)
		die("no hello from the VMM (run rwp-vmm, which starts rwp-manager)");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len > CMSG_LEN(sizeof(fds)))
		die("no file descriptors from the VMM");
	memcpy(fds, CMSG_DATA(cmsg), cmsg->cmsg_len - CMSG_LEN(0));
	uffd = fds[0];
	memfd = fds[1];
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		die("SO_PEERCRED");
	return cred.pid;
}

/* ---- scanning ---- */

/*
 * One PAGEMAP_SCAN pass over guest memory: resident (present or swapped)
 * pages, with whether they were accessed since the last protect.
 */
static void scan(uint8_t *present, uint8_t *swapped, uint8_t *accessed)
{
	static struct page_region regions[SCAN_REGIONS];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = (uintptr_t)view,
		.end = (uintptr_t)view + npages * page,
		.vec = (uintptr_t)regions,
		.vec_len = SCAN_REGIONS,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_ACCESSED,
	};

	memset(present, 0, npages);
	memset(swapped, 0, npages);
	memset(accessed, 0, npages);
	for (;;) {
		long n = ioctl(pagemap, PAGEMAP_SCAN, &arg), i;

		if (n < 0)
			die("PAGEMAP_SCAN");
		for (i = 0; i < n; i++) {
			size_t p = (regions[i].start - (uintptr_t)view) / page;
			size_t e = (regions[i].end - (uintptr_t)view) / page;

			for (; p < e; p++) {
				present[p] = !!(regions[i].categories & PAGE_IS_PRESENT);
				swapped[p] = !!(regions[i].categories & PAGE_IS_SWAPPED);
				accessed[p] = !!(regions[i].categories & PAGE_IS_ACCESSED);
			}
		}
		if (arg.walk_end >= arg.end)
			break;
		arg.start = arg.walk_end;
	}
}

/* ---- eviction ---- */

/* Write the pages to the backing file from the I/O view, with io_uring. */
static void write_out(const uint32_t *list, size_t n)
{
	size_t sub = 0, done = 0;

	while (done < n) {
		struct io_uring_cqe *cqe;

		while (sub < n && sub - done < QUEUE_DEPTH) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			size_t p = list[sub++];

			io_uring_prep_write(sqe, backing, io_view + p * page, page, p * page);
		}
		if (io_uring_submit_and_wait(&ring, 1) < 0)
			die("io_uring_submit");
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			if (cqe->res != (int)page) {
				errno = cqe->res < 0 ? -cqe->res : EIO;
				die("write to the backing file");
			}
			io_uring_cqe_seen(&ring, cqe);
			done++;
		}
	}
}

/*
 * Punch out the pages of list still EVICTING; put cancelled ones back.
 * One punch covers a run of them and the holes (EVICTED pages) between
 * them: every punch costs an MMU notifier round, which KVM answers by
 * zapping and flushing its mappings of the range.  The lock, held for one
 * punch at a time, keeps the handler from resolving (unprotecting) a page
 * between its check here and the punch: a write then would be lost.
 */
static size_t punch(const uint32_t *list, size_t n)
{
	size_t i = 0, evicted = 0;

	while (i < n) {
		size_t first = list[i], end = first;

		pthread_mutex_lock(&lock);
		if (state[first] != EVICTING) {
			state[list[i++]] = RESIDENT;	/* cancelled */
			pthread_mutex_unlock(&lock);
			continue;
		}
		for (;;) {
			if (i < n && list[i] == end && state[end] == EVICTING) {
				state[list[i++]] = EVICTED;
				evicted++;
			} else if (!(i < n && list[i] > end && state[end] == EVICTED)) {
				break;	/* resident, cancelled, or nothing follows */
			}
			end++;
		}
		if (fallocate(memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      first * page, (end - first) * page))
			die("punch the memfd");
		pthread_mutex_unlock(&lock);
	}
	return evicted;
}

/*
 * Anonymous memory: page out the runs of pages not cancelled, a batch at
 * a time.  No lock around the page-out: the kernel keeps a page that is
 * touched meanwhile (it stays protected, and its fault swaps it back in).
 */
static size_t page_out(const uint32_t *list, size_t n)
{
	struct iovec iov[64];
	size_t i = 0, evicted = 0;

	while (i < n) {
		int niov = 0;

		pthread_mutex_lock(&lock);
		for (; i < n; i++) {
			char *addr = view + list[i] * page;
			bool extends = niov && (char *)iov[niov - 1].iov_base +
					       iov[niov - 1].iov_len == addr;

			if (state[list[i]] != EVICTING) {
				state[list[i]] = RESIDENT;	/* cancelled */
				continue;
			}
			if (!extends && niov == 64)
				break;
			state[list[i]] = RESIDENT;	/* swapped: the scan says */
			was_swapped[list[i]] = 1;	/* a swap-in is a refault */
			evicted++;
			if (extends) {
				iov[niov - 1].iov_len += page;
			} else {
				iov[niov].iov_base = addr;
				iov[niov++].iov_len = page;
			}
		}
		pthread_mutex_unlock(&lock);
		if (niov && syscall(SYS_process_madvise, pidfd, iov, niov, MADV_PAGEOUT, 0) < 0)
			die("process_madvise(MADV_PAGEOUT)");
	}
	return evicted;
}

/* The pages of list are EVICTING (marked when listed, under lock). */
static size_t evict(const uint32_t *list, size_t n)
{
	if (memfd < 0)
		return page_out(list, n);
	write_out(list, n);
	return punch(list, n);
}

/* ---- the loop ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: rwp-vmm [vmm options] -- [-i ms] [-n intervals] [-k intervals] [-b file] [-o csv] [-N] [-R] [-j]\n"
		"  -i ms       interval length (1000)\n"
		"  -n N        intervals (16)\n"
		"  -k N        evict pages cold for N intervals (2); 0: never evict\n"
		"  -b file     backing file for evicted pages (an unnamed file in /tmp)\n"
		"  -o file     write one CSV line per interval to file\n"
		"  -N          no tracking: only run the workload (a baseline)\n"
		"  -R          no second scan checking that no access went unreported\n"
		"  -j          end with a JSON record of the workload's throughput\n"
		"              (median over the intervals after the second)\n");
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One interval's figures, for the table and the CSV. */
struct interval {
	size_t found, tp, resident, evicted, evicted_now, window, silent;
	double rate, t_protect, t_scan, t_evict;
};

static void report(FILE *csv, unsigned int i, double t, const struct interval *r)
{
	double prec = r->found ? (double)r->tp / r->found : 0;
	double recall = (double)r->tp / hello.w.hot;
	double mean = hs.lat_n ? hs.lat_sum_us / hs.lat_n : 0;

	printf("%4u %7u %7zu %6.3f %6.3f %8zu %8zu %7llu %6zu %6zu %6llu %5.0f/%-6.0f %8.0f\n",
	       i, hello.w.hot, r->found, prec, recall, r->resident, r->evicted,
	       (unsigned long long)hs.refaults, r->window, r->silent,
	       (unsigned long long)hs.sync_faults, mean, hs.lat_max_us, r->rate);
	fflush(stdout);
	if (csv)
		fprintf(csv, "%u,%.3f,%u,%zu,%.4f,%.4f,%zu,%zu,%zu,%llu,%zu,%zu,%llu,%.1f,%.1f,%.0f,%.3f,%.3f,%.3f\n",
			i, t, hello.w.hot, r->found, prec, recall, r->resident,
			r->evicted, r->evicted_now, (unsigned long long)hs.refaults,
			r->window, r->silent, (unsigned long long)hs.sync_faults,
			mean, hs.lat_max_us, r->rate, r->t_protect * 1e3, r->t_scan * 1e3,
			r->t_evict * 1e3);
}

int main(int argc, char **argv)
{
	uint8_t *present, *swapped, *accessed, *truth, *carry, *recheck[3];
	double t_start, t_prev, *rates;
	size_t silent = 0;
	struct demo_reply rep;
	uint64_t touched_prev;
	FILE *csv = NULL;
	uint32_t *list;
	int opt, stop;
	unsigned int i;
	pthread_t thr;
	pid_t vmm;

	while ((opt = getopt(argc, argv, "i:n:k:b:o:NRjh")) != -1) {
		switch (opt) {
		case 'i': interval_ms = atoi(optarg); break;
		case 'n': intervals = atoi(optarg); break;
		case 'k': cold_after = atoi(optarg); break;
		case 'b': backing_path = optarg; break;
		case 'o': csv_path = optarg; break;
		case 'N': tracking = false; break;
		case 'R': recheck_scan = false; break;
		case 'j': json = true; break;
		default: usage();
		}
	}
	if (optind != argc || !interval_ms || !intervals)
		usage();
	sock = 3;
	vmm = receive_hello();
	page = hello.page_size;
	npages = hello.size / page;
	view = (char *)(uintptr_t)hello.vcpu_view;

	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/pagemap", vmm);
		pagemap = open(path, O_RDONLY | O_CLOEXEC);
		if (pagemap < 0)
			die(path);
	}
	if (memfd >= 0) {
		io_view = mmap(NULL, hello.size, PROT_READ, MAP_SHARED, memfd, 0);
		if (io_view == MAP_FAILED)
			die("mmap the memfd (I/O view)");
		if (backing_path) {
			backing = open(backing_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		} else {
			backing_path = "/tmp";
			backing = open(backing_path, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
		}
		if (backing < 0 || ftruncate(backing, hello.size))
			die(backing_path);
		if (io_uring_queue_init(QUEUE_DEPTH, &ring, 0) < 0)
			die("io_uring_queue_init");
	} else {
		pidfd = syscall(SYS_pidfd_open, vmm, 0);
		if (pidfd < 0)
			die("pidfd_open");
	}
	state = calloc(npages, 1);
	late = calloc(npages, 1);
	carry = calloc(npages, 1);
	was_swapped = calloc(npages, 1);
	age = calloc(npages, 1);
	/* zeroed: without tracking (-N) they are never scanned */
	present = calloc(npages, 1);
	swapped = calloc(npages, 1);
	accessed = calloc(npages, 1);
	truth = malloc(npages);
	for (i = 0; i < 3; i++)
		recheck[i] = malloc(npages);
	list = malloc(npages * sizeof(*list));
	rates = calloc(intervals, sizeof(*rates));
	if (!state || !late || !carry || !was_swapped || !age || !present || !swapped ||
	    !accessed || !truth || !recheck[0] || !recheck[1] || !recheck[2] || !list ||
	    !rates)
		die("malloc");
	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv)
			die(csv_path);
		fprintf(csv, "interval,seconds,true_ws,detected_ws,precision,recall,"
			"resident,evicted,evicted_now,refaults,window_faults,silent,"
			"sync_faults,handler_mean_us,handler_max_us,pages_per_s,"
			"protect_ms,scan_ms,evict_ms\n");
	}

	stop = eventfd(0, EFD_CLOEXEC);
	if (stop < 0 || pthread_create(&thr, NULL, handler, &stop))
		die("handler thread");

	printf("rwp-manager: %s, %u intervals of %u ms, evicting after %u cold%s\n",
	       memfd >= 0 ? "memfd: evicting to a file with io_uring, refaults by UFFDIO_COPY" :
	       "anonymous memory: evicting with MADV_PAGEOUT, refaults from swap",
	       intervals, interval_ms, cold_after, tracking ? "" : "; NOT TRACKING (baseline)");
	printf("%4s %7s %7s %6s %6s %8s %8s %7s %6s %6s %6s %12s %8s\n", "int",
	       "true-ws", "found", "prec", "recall", "resident", "evicted",
	       "refault", "window", "silent", "sync", "hdl-us mean/max", "pages/s");

	if (tracking)
		set_async(true);
	rep = ask(DEMO_PHASE, 1);
	touched_prev = rep.touched;
	t_start = t_prev = now();
	if (tracking)
		rwprotect((uintptr_t)view, hello.size, true);

	for (i = 1; i <= intervals; i++) {
		struct timespec ts = { interval_ms / 1000, interval_ms % 1000 * 1000000L };
		struct interval r = { 0 };
		size_t n = 0, j;
		double t;

		nanosleep(&ts, NULL);
		/* at least one whole pass of every vCPU since the protect */
		rep = ask(DEMO_PASSES, 2);
		t = now();
		r.rate = (rep.touched - touched_prev) / (t - t_prev);
		touched_prev = rep.touched;
		t_prev = t;
		rates[i - 1] = r.rate;

		/* the truth: this interval's phase is i */
		memset(truth, 0, npages);
		for (j = 0; j < hello.w.hot; j++)
			truth[demo_page(&hello.w, i, j)] = 1;

		if (tracking) {
			set_async(false);
			pthread_mutex_lock(&lock);
			in_window = true;
			pthread_mutex_unlock(&lock);
			r.t_scan = now();
			scan(present, swapped, accessed);
			r.t_scan = now() - r.t_scan;
		}
		/* the next phase, protected from its start */
		if (i < intervals)
			ask(DEMO_PHASE, i + 1);
		if (tracking) {
			/*
			 * Instrumentation: nothing may have become accessed
			 * since the scan without a message (sync mode).
			 */
			if (recheck_scan)
				scan(recheck[0], recheck[1], recheck[2]);
			else
				memset(recheck[0], 0, npages);
			r.t_protect = now();
			rwprotect((uintptr_t)view, hello.size, true);
			r.t_protect = now() - r.t_protect;
		}

		pthread_mutex_lock(&lock);
		in_window = false;
		for (j = 0; tracking && j < npages; j++) {
			bool hit = (accessed[j] && present[j]) || carry[j];

			if (present[j] && !accessed[j] && !late[j] &&
			    recheck[0][j] && recheck[2][j])
				r.silent++;
			/* accessed after the scan: the next interval's */
			carry[j] = late[j];
			r.window += late[j];
			late[j] = 0;
			if (hit || carry[j])
				age[j] = 0;
			else if (present[j] && age[j] < 255)
				age[j]++;
			r.found += hit;
			r.tp += hit && truth[j];
			if (memfd < 0 && was_swapped[j] && present[j])
				hs.refaults++;
			was_swapped[j] = swapped[j];
			/*
			 * EVICTING from now on, in the same critical section:
			 * a fault the handler takes after it cancels the
			 * eviction.  (Marked later, a page resolved in between
			 * would be written to by its vCPU and then punched.)
			 */
			if (cold_after && present[j] && age[j] >= cold_after &&
			    state[j] == RESIDENT) {
				state[j] = EVICTING;
				list[n++] = j;
			}
		}
		silent += r.silent;
		pthread_mutex_unlock(&lock);

		r.t_evict = now();
		if (n)
			r.evicted_now = evict(list, n);
		r.t_evict = now() - r.t_evict;
		if (tracking)
			set_async(true);

		pthread_mutex_lock(&lock);
		for (j = 0; j < npages; j++) {
			if (memfd >= 0) {
				r.resident += state[j] != EVICTED;
			} else {
				r.resident += present[j];
				r.evicted += swapped[j];
			}
		}
		if (memfd >= 0) {
			r.evicted = npages - r.resident;
		} else {
			r.resident -= r.evicted_now;
			r.evicted += r.evicted_now;
		}
		if (!tracking)
			r.found = r.tp = hello.w.hot;
		report(csv, i, now() - t_start, &r);
		memset(&hs, 0, sizeof(hs));
		pthread_mutex_unlock(&lock);
	}

	rep = ask(DEMO_STOP, 0);
	printf("rwp-manager: %s, %llu page accesses by the vCPUs, %llu pages with wrong contents, %llu wrong pages seen by the guest\n",
	       hello.kvm ? "KVM vCPUs" : "threads", (unsigned long long)rep.touched,
	       (unsigned long long)rep.mismatches, (unsigned long long)rep.guest_errors);
	if (json && intervals > 3) {
		/* steady state: without the first eviction of cold memory */
		size_t n = intervals - 2;

		qsort(rates + 2, n, sizeof(*rates), cmp_double);
		printf("{\"bench\": \"loop\", \"tracking\": %d, \"evict_after\": %u, \"interval_ms\": %u, "
		       "\"intervals\": %zu, \"vcpus\": %u, \"kvm\": %u, \"size_mib\": %llu, "
		       "\"unit\": \"page accesses/s\", \"min\": %.0f, \"median\": %.0f, \"max\": %.0f}\n",
		       tracking, tracking ? cold_after : 0, interval_ms, n, hello.vcpus, hello.kvm,
		       (unsigned long long)(hello.size >> 20),
		       rates[2], rates[2 + n / 2], rates[2 + n - 1]);
	}
	if (eventfd_write(stop, 1) || pthread_join(thr, NULL))
		die("stop the handler");
	if (csv)
		fclose(csv);
	if (silent)
		fprintf(stderr, "rwp-manager: %zu pages became accessed after a scan without a report\n",
			silent);
	return rep.mismatches || rep.guest_errors || silent ? 1 : 0;
}
