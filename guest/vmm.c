// SPDX-License-Identifier: GPL-2.0
/*
 * rwp-vmm: the VMM half of the working-set demonstration (see demo.h).
 *
 * Guest memory is a memfd (or, with -a, anonymous memory).  The vCPUs see
 * it through one mapping, the "vCPU view", which is registered with a
 * userfaultfd for MISSING faults (memfd only: evicted pages come back
 * through UFFDIO_COPY) and read-write protection.  The VMM starts
 * rwp-manager with one end of a Unix socket as its fd 3, hands it the
 * userfaultfd and the memfd with SCM_RIGHTS, closes its own userfaultfd
 * and from then on only runs the vCPUs.
 *
 * The vCPUs are KVM vCPUs running a small 32-bit guest (below) that walks
 * the hot set of the current phase; without /dev/kvm (or with -t) threads
 * of this process run the same walk.  The manager moves the phases on;
 * at the end the VMM checks every page of guest memory.
 *
 * usage: rwp-vmm [-s MiB] [-c vcpus] [-S seed] [-a] [-t] [-- manager options]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "demo.h"

#define MAX_VCPUS	8
#define WATCHDOG_S	60	/* a vCPU that does not move on is stuck */

/*
 * Guest physical layout: slot 0 (GPA 0, 64 KiB of ordinary memory) holds
 * the code at CODE_GPA and the parameters at PARAM_GPA; slot 1 is guest
 * memory, at RAM_GPA.
 */
#define SLOT0_SIZE	0x10000
#define CODE_GPA	0x1000
#define PARAM_GPA	0x8000
#define RAM_GPA		0x100000
#define PORT_PHASE	0x10	/* in: the phase to run, 0 = stop */
#define PORT_DONE	0x11	/* out: the guest stops (then hlt) */
#define STR(x)		STR_(x)
#define STR_(x)		#x

enum { P_BASE, P_MASK, P_MUL, P_ADD, P_ZONE, P_HOT, P_DRIFT, P_NVCPU, P_ERRORS };
#define PARAM(i)	"0x80" #i "0"	/* PARAM_GPA + 16 * i, i < 10 */
_Static_assert(PARAM_GPA == 0x8000, "PARAM() spells out PARAM_GPA");

#ifdef __x86_64__
/*
 * The guest: 32-bit protected mode, flat segments, no paging, interrupts
 * off; %esi holds the vCPU's index.  It is demo_page() and the walk of
 * thread_vcpu() below, instruction for instruction.  PARAM(n) is the
 * parameter P_* = n; the guest's error count goes to PARAM(P_ERRORS).
 */
asm(".pushsection .rodata\n"
    ".globl rwp_guest_code, rwp_guest_code_end\n"
    ".code32\n"
    "rwp_guest_code:\n"
    "1:	inl $" STR(PORT_PHASE) ", %eax\n"	/* phase, 0: stop */
    "	testl %eax, %eax\n"
    "	jz 4f\n"
    "	movl %eax, %ebp\n"		/* %ebp = phase */
    "	mull " PARAM(6) "\n"		/* %edx:%eax = phase * drift */
    "	divl " PARAM(4) "\n"		/* %edx = start = that % zone */
    "	movl %edx, %ecx\n"
    "	movl %esi, %edi\n"		/* %edi = j = vCPU index */
    "2:	cmpl " PARAM(5) ", %edi\n"	/* j < hot ? */
    "	jae 1b\n"
    "	leal (%ecx,%edi), %eax\n"
    "	xorl %edx, %edx\n"
    "	divl " PARAM(4) "\n"		/* %edx = x = (start + j) % zone */
    "	movl %edx, %eax\n"
    "	mull " PARAM(2) "\n"
    "	addl " PARAM(3) ", %eax\n"
    "	andl " PARAM(1) ", %eax\n"	/* %eax = page = x * mul + add */
    "	movl %eax, %ebx\n"
    "	shll $12, %ebx\n"
    "	addl " PARAM(0) ", %ebx\n"	/* %ebx = its guest address */
    "	cmpl %eax, (%ebx)\n"		/* word 0 must hold the index */
    "	je 3f\n"
    "	lock incl " PARAM(8) "\n"
    "3:	movl %ebp, 4(%ebx)\n"		/* word 1 = phase */
    "	addl " PARAM(7) ", %edi\n"	/* j += vCPUs */
    "	jmp 2b\n"
    "4:	outl %eax, $" STR(PORT_DONE) "\n"
    "	hlt\n"
    "rwp_guest_code_end:\n"
    ".code64\n"
    ".popsection\n");
extern const unsigned char rwp_guest_code[], rwp_guest_code_end[];
#endif /* __x86_64__ */

struct vcpu {
	int idx;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	uint64_t passes;	/* completed passes */
	uint32_t phase;		/* the phase it runs */
};

static struct demo_workload w;
static size_t page = 4096;
static char *view;			/* the vCPU view */
static uint32_t *params;		/* slot 0's parameters (KVM) */
static struct vcpu vcpus[MAX_VCPUS];
static int nr_vcpus = 2;
static bool use_kvm = true;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static uint32_t phase;			/* the phase the manager asked for */
static bool stopping;
static uint64_t touched, thread_errors;

static void die(const char *what)
{
	fprintf(stderr, "rwp-vmm: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* How many pages of a hot set one vCPU touches per pass. */
static uint64_t share(int idx)
{
	return (w.hot - idx + nr_vcpus - 1) / nr_vcpus;
}

/*
 * A vCPU finished a pass (or starts): count it and return the phase to
 * run next, 0 to stop.  Before the manager's first DEMO_PHASE it waits.
 */
static uint32_t next_phase(struct vcpu *v)
{
	uint32_t next;

	pthread_mutex_lock(&lock);
	if (v->phase) {
		v->passes++;
		touched += share(v->idx);
	}
	while (!phase && !stopping)
		pthread_cond_wait(&cond, &lock);
	next = stopping ? 0 : phase;
	v->phase = next;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return next;
}

static void *thread_vcpu(void *arg)
{
	struct vcpu *v = arg;
	uint32_t g, j;

	while ((g = next_phase(v))) {
		for (j = v->idx; j < w.hot; j += nr_vcpus) {
			uint32_t p = demo_page(&w, g, j);
			volatile uint32_t *word = (uint32_t *)(view + (size_t)p * page);

			if (word[0] != p)
				__atomic_fetch_add(&thread_errors, 1, __ATOMIC_RELAXED);
			word[1] = g;
		}
	}
	return NULL;
}

#ifdef __x86_64__
static void *kvm_vcpu(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run = v->run;

	for (;;) {
		uint32_t *data;

		if (ioctl(v->fd, KVM_RUN, 0)) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		data = (uint32_t *)((char *)run + run->io.data_offset);
		if (run->exit_reason == KVM_EXIT_HLT)
			return NULL;
		if (run->exit_reason == KVM_EXIT_IO && run->io.size == 4 &&
		    run->io.port == PORT_PHASE &&
		    run->io.direction == KVM_EXIT_IO_IN) {
			*data = next_phase(v);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == PORT_DONE)
			continue;
		fprintf(stderr, "rwp-vmm: vCPU %d: unexpected exit %u (port 0x%x)\n",
			v->idx, run->exit_reason, run->io.port);
		exit(1);
	}
}

/* Returns false, with the reason in errno, when KVM cannot be used. */
static bool kvm_setup(size_t size)
{
	struct kvm_userspace_memory_region slot0 = { .slot = 0 };
	struct kvm_userspace_memory_region slot1 = {
		.slot = 1, .guest_phys_addr = RAM_GPA,
		.memory_size = size, .userspace_addr = (uintptr_t)view,
	};
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
	int kvm, vm, mmap_size, i;
	char *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return false;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		int err = errno;

		close(kvm);
		errno = err;
		return false;
	}
	ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	mem = mmap(NULL, SLOT0_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap slot 0");
	memcpy(mem + CODE_GPA, rwp_guest_code, rwp_guest_code_end - rwp_guest_code);
	params = (uint32_t *)(mem + PARAM_GPA);
	params[4 * P_BASE] = RAM_GPA;
	params[4 * P_MASK] = w.pages - 1;
	params[4 * P_MUL] = w.mul;
	params[4 * P_ADD] = w.add;
	params[4 * P_ZONE] = w.zone;
	params[4 * P_HOT] = w.hot;
	params[4 * P_DRIFT] = w.drift;
	params[4 * P_NVCPU] = nr_vcpus;
	slot0.memory_size = SLOT0_SIZE;
	slot0.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot0) ||
	    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot1))
		die("KVM_SET_USER_MEMORY_REGION");
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; i < nr_vcpus; i++) {
		struct kvm_regs regs = {
			.rip = CODE_GPA, .rsi = i,
			.rflags = 2,	/* the guest needs no stack */
		};
		struct kvm_sregs sregs;
		struct vcpu *v = &vcpus[i];

		v->fd = ioctl(vm, KVM_CREATE_VCPU, i);
		if (v->fd < 0)
			die("KVM_CREATE_VCPU");
		v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED)
			die("mmap kvm_run");
		if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
			die("KVM_GET_SREGS");
		sregs.cs = seg;
		seg.type = 3;
		seg.selector = 16;
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
		seg.type = 11;
		seg.selector = 8;
		sregs.cr0 = (sregs.cr0 | 1) & ~(1UL << 31);	/* PE, no PG */
		if (ioctl(v->fd, KVM_SET_SREGS, &sregs) ||
		    ioctl(v->fd, KVM_SET_REGS, &regs))
			die("KVM_SET_REGS");
	}
	return true;
}
#else /* !__x86_64__ */
/* The guest code is x86 code: other architectures run threads. */
static void *kvm_vcpu(void *arg)
{
	return arg;
}

static bool kvm_setup(size_t size)
{
	(void)size;
	printf("rwp-vmm: the KVM guest code is x86-64 code\n");
	errno = ENOSYS;
	return false;
}
#endif /* __x86_64__ */

/* Send the manager the hello, with the userfaultfd and the memfd. */
static void hand_over(int sock, const struct demo_hello *hello, int uffd, int memfd)
{
	int fds[2] = { uffd, memfd };
	int nfds = memfd >= 0 ? 2 : 1;
	char cbuf[CMSG_SPACE(sizeof(fds))] = { 0 };
	struct iovec iov = { (void *)hello, sizeof(*hello) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(nfds * sizeof(int)),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	if (sendmsg(sock, &msg, 0) != sizeof(*hello))
		die("sendmsg to the manager");
}

/* Wait until every vCPU satisfies done(v, arg), or the watchdog fires. */
static int wait_vcpus(bool (*done)(struct vcpu *, uint64_t), const uint64_t *arg)
{
	struct timespec until;
	int i, err = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WATCHDOG_S;
	for (i = 0; i < nr_vcpus && !err; i++)
		while (!done(&vcpus[i], arg[i]) && !err)
			err = pthread_cond_timedwait(&cond, &lock, &until);
	return err;
}

static bool in_phase(struct vcpu *v, uint64_t g)
{
	return v->phase == g;
}

static bool passed(struct vcpu *v, uint64_t until)
{
	return v->passes >= until;
}

/* Every page holds its index and the last phase that wrote it. */
static uint64_t verify(uint32_t last_phase)
{
	uint32_t *expect = calloc(w.pages, sizeof(*expect));
	uint64_t bad = 0;
	uint32_t g, j, p;

	if (!expect)
		die("calloc");
	for (g = 1; g <= last_phase; g++)
		for (j = 0; j < w.hot; j++)
			expect[demo_page(&w, g, j)] = g;
	for (p = 0; p < w.pages; p++) {
		volatile uint32_t *word = (uint32_t *)(view + (size_t)p * page);

		if (word[0] != p || word[1] != expect[p]) {
			if (bad++ < 5)
				fprintf(stderr, "rwp-vmm: page %u holds %u/%u, expected %u/%u\n",
					p, word[0], word[1], p, expect[p]);
		}
	}
	free(expect);
	return bad;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rwp-vmm [-s MiB] [-c vcpus] [-S seed] [-a] [-t] [-- manager options]\n"
		"  -s MiB    guest memory, a power of two from 16 to 2048 (256)\n"
		"  -c N      vCPUs, 1 to %d (2)\n"
		"  -S seed   seed of the workload's layout (1)\n"
		"  -a        anonymous guest memory (eviction by MADV_PAGEOUT to swap)\n"
		"            instead of a memfd (eviction to a file by the manager)\n"
		"  -t        threads instead of KVM vCPUs\n"
		"options after -- go to rwp-manager (rwp-manager -h)\n", MAX_VCPUS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_RWP };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_RWP };
	struct demo_hello hello = { .version = DEMO_VERSION };
	unsigned long mib = 256, seed = 1;
	int opt, sv[2], uffd, memfd = -1, status, i;
	uint64_t mismatches = ~0ULL;
	bool anon = false;
	uint32_t last = 0;
	size_t size;
	pid_t mgr;

	while ((opt = getopt(argc, argv, "s:c:S:ath")) != -1) {
		switch (opt) {
		case 's': mib = strtoul(optarg, NULL, 0); break;
		case 'c': nr_vcpus = atoi(optarg); break;
		case 'S': seed = strtoul(optarg, NULL, 0); break;
		case 'a': anon = true; break;
		case 't': use_kvm = false; break;
		default: usage();
		}
	}
	if (mib < 16 || mib > 2048 || (mib & (mib - 1)) ||
	    nr_vcpus < 1 || nr_vcpus > MAX_VCPUS)
		usage();

	/* The workload: a hot set of 1/32 of memory moving through 1/8. */
	size = mib << 20;
	w.pages = size / page;
	w.zone = w.pages / 8;
	w.hot = w.pages / 32;
	w.drift = w.hot / 2;
	srandom(seed);
	w.mul = (uint32_t)random() | 1;
	w.add = random();

	/* Guest memory: every page holds its index, phase 0. */
	if (anon) {
		view = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* 4 KiB pages: a THP would make its 512 pages one */
		if (view != MAP_FAILED && madvise(view, size, MADV_NOHUGEPAGE))
			die("MADV_NOHUGEPAGE");
	} else {
		memfd = memfd_create("guest-memory", MFD_CLOEXEC);
		if (memfd < 0 || ftruncate(memfd, size))
			die("memfd");
		view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	}
	if (view == MAP_FAILED)
		die("mmap guest memory");
	for (i = 0; i < (int)w.pages; i++)
		*(uint32_t *)(view + (size_t)i * page) = i;

	/* The userfaultfd: RWP on the vCPU view, MISSING for the memfd. */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		die("userfaultfd");
	if (!anon)
		api.features |= UFFD_FEATURE_MISSING_SHMEM;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		fprintf(stderr, "rwp-vmm: this kernel has no userfaultfd read-write protection "
			"(UFFDIO_API with UFFD_FEATURE_RWP: %s)\n", strerror(errno));
		return 1;
	}
	if (!anon)
		reg.mode |= UFFDIO_REGISTER_MODE_MISSING;
	reg.range.start = (uintptr_t)view;
	reg.range.len = size;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");

	if (use_kvm && !kvm_setup(size)) {
		printf("rwp-vmm: no KVM (%s): the workload runs on threads\n",
		       strerror(errno));
		use_kvm = false;
	}
	printf("rwp-vmm: %lu MiB of %s guest memory, %d %s; hot set %u pages moving %u per phase through %u\n",
	       mib, anon ? "anonymous" : "memfd", nr_vcpus,
	       use_kvm ? "KVM vCPUs (32-bit guest code)" : "threads",
	       w.hot, w.drift, w.zone);
	fflush(stdout);

	/*
	 * The manager: fd 3 is its end of the socket.  CLOEXEC: it must not
	 * inherit the VMM's end, or it would never see the VMM go away.
	 */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	mgr = fork();
	if (mgr < 0)
		die("fork");
	if (!mgr) {
		char **args = argv + optind - 1;

		/* dup2() clears FD_CLOEXEC, unless sv[1] is 3 already */
		if (sv[1] == 3 ? fcntl(3, F_SETFD, 0) : dup2(sv[1], 3) != 3)
			die("dup2");
		args[0] = "rwp-manager";
		execvp(args[0], args);
		die("exec rwp-manager");
	}
	close(sv[1]);
	hello.vcpus = nr_vcpus;
	hello.kvm = use_kvm;
	hello.page_size = page;
	hello.vcpu_view = (uintptr_t)view;
	hello.size = size;
	hello.w = w;
	hand_over(sv[0], &hello, uffd, memfd);
	close(uffd);		/* the manager's from now on */

	for (i = 0; i < nr_vcpus; i++) {
		vcpus[i].idx = i;
		if (pthread_create(&vcpus[i].thread, NULL,
				   use_kvm ? kvm_vcpu : thread_vcpu, &vcpus[i]))
			die("pthread_create");
	}

	/* Serve the manager until it stops us or goes away. */
	for (;;) {
		struct demo_reply rep = { 0 };
		struct demo_req req;
		uint64_t arg[MAX_VCPUS];
		ssize_t n = recv(sv[0], &req, sizeof(req), 0);

		if (n <= 0)
			break;
		rep.op = req.op;
		pthread_mutex_lock(&lock);
		switch (req.op) {
		case DEMO_PHASE:
			phase = last = req.arg;
			pthread_cond_broadcast(&cond);
			for (i = 0; i < nr_vcpus; i++)
				arg[i] = req.arg;
			rep.status = wait_vcpus(in_phase, arg);
			break;
		case DEMO_PASSES:
			for (i = 0; i < nr_vcpus; i++)
				arg[i] = vcpus[i].passes + req.arg;
			rep.status = wait_vcpus(passed, arg);
			break;
		case DEMO_STOP:
			stopping = true;
			pthread_cond_broadcast(&cond);
			break;
		default:
			rep.status = EINVAL;
		}
		rep.touched = touched;
		pthread_mutex_unlock(&lock);
		if (req.op == DEMO_STOP) {
			for (i = 0; i < nr_vcpus; i++)
				pthread_join(vcpus[i].thread, NULL);
			rep.guest_errors = use_kvm ? params[4 * P_ERRORS] : thread_errors;
			/* evicted pages fault back in through the manager */
			mismatches = rep.mismatches = verify(last);
		}
		if (send(sv[0], &rep, sizeof(rep), 0) != sizeof(rep))
			die("send to the manager");
		if (req.op == DEMO_STOP)
			break;
	}
	if (waitpid(mgr, &status, 0) != mgr)
		die("waitpid");
	if (mismatches == ~0ULL) {
		fprintf(stderr, "rwp-vmm: the manager went away before the end\n");
		return 1;
	}
	printf("rwp-vmm: %llu pages with wrong contents\n",
	       (unsigned long long)mismatches);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return mismatches ? 1 : 0;
}
