/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rwp-vmm (vmm.c) and rwp-manager (manager.c) share: the messages on
 * their Unix socket and the demonstration's workload.
 *
 * The VMM owns guest memory and the vCPUs.  It creates the userfaultfd,
 * registers the vCPU view of guest memory with it and sends the manager,
 * with SCM_RIGHTS, the userfaultfd and the memfd behind guest memory.  From
 * then on the manager owns protection, scanning, eviction and fault service.
 *
 * The rest of the protocol is instrumentation for the demonstration: the
 * manager tells the VMM when the workload may move on (DEMO_PHASE) and asks
 * it for the counters (DEMO_PASSES), so that it knows the true working set
 * of every interval and can score what it detected against it.
 */
#ifndef RWP_DEMO_H
#define RWP_DEMO_H

#include <stdint.h>

#define DEMO_VERSION	1

/*
 * The workload: in phase g (g >= 1) the guest reads and writes the pages
 * demo_page(w, g, j) for j = 0 .. hot - 1, over and over.  Every phase the
 * hot set moves on by drift pages inside a zone of zone pages, scattered
 * over guest memory by an odd multiplier; the rest of memory stays cold.
 * Page p holds its index in word 0 and, in word 1, the last phase that
 * wrote it (0 before the first).
 */
struct demo_workload {
	uint32_t pages;		/* guest memory in pages, a power of two */
	uint32_t zone;		/* pages the hot set moves through */
	uint32_t hot;		/* pages in the hot set */
	uint32_t drift;		/* pages the hot set moves per phase */
	uint32_t mul;		/* odd: x -> x * mul + add is a bijection */
	uint32_t add;
};

static inline uint32_t demo_page(const struct demo_workload *w,
				 uint32_t phase, uint32_t j)
{
	uint32_t start = (uint64_t)phase * w->drift % w->zone;
	uint32_t x = (start + j) % w->zone;

	return (x * w->mul + w->add) & (w->pages - 1);
}

/* VMM -> manager, once, with the userfaultfd and the memfd attached. */
struct demo_hello {
	uint32_t version;
	uint32_t vcpus;
	uint32_t kvm;		/* 1: KVM vCPUs, 0: threads */
	uint32_t page_size;
	uint64_t vcpu_view;	/* address of the vCPU view in the VMM */
	uint64_t size;		/* of guest memory (the memfd) */
	struct demo_workload w;
};

enum demo_op {
	DEMO_PHASE = 1,		/* move to phase arg; reply once every
				 * vCPU runs in it */
	DEMO_PASSES,		/* reply once every vCPU completed arg more
				 * passes over its share of the hot set */
	DEMO_STOP,		/* stop the vCPUs, verify every page, reply */
};

struct demo_req {
	uint32_t op;
	uint32_t arg;
};

struct demo_reply {
	uint32_t op;
	uint32_t status;	/* 0, or an errno */
	uint64_t touched;	/* page accesses by the vCPUs so far */
	uint64_t mismatches;	/* DEMO_STOP: pages with wrong contents */
	uint64_t guest_errors;	/* accesses that found a wrong index */
};

#endif
