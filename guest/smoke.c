// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke check of the guest kernel: print its version and what its
 * userfaultfd advertises through UFFDIO_API.  Fails, naming what is
 * missing, on a kernel without userfaultfd read-write protection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/userfaultfd.h>

/* Names taken from the UAPI header, so that they cannot drift from it */
#define FEATURE(name)	{ UFFD_FEATURE_##name, #name }
static const struct {
	__u64 bit;
	const char *name;
} features[] = {
	FEATURE(PAGEFAULT_FLAG_WP), FEATURE(EVENT_FORK), FEATURE(EVENT_REMAP),
	FEATURE(EVENT_REMOVE), FEATURE(MISSING_HUGETLBFS),
	FEATURE(MISSING_SHMEM), FEATURE(EVENT_UNMAP), FEATURE(SIGBUS),
	FEATURE(THREAD_ID), FEATURE(MINOR_HUGETLBFS), FEATURE(MINOR_SHMEM),
	FEATURE(EXACT_ADDRESS), FEATURE(WP_HUGETLBFS_SHMEM),
	FEATURE(WP_UNPOPULATED), FEATURE(POISON), FEATURE(WP_ASYNC),
	FEATURE(MOVE), FEATURE(RWP), FEATURE(RWP_ASYNC),
};

static const char *feature_name(__u64 bit)
{
	unsigned int i;

	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (features[i].bit == bit)
			return features[i].name;
	return "(unknown)";
}

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	const __u64 rwp = UFFD_FEATURE_RWP | UFFD_FEATURE_RWP_ASYNC;
	struct utsname u;
	unsigned int bit;
	int fd;

	uname(&u);
	printf("kernel: %s %s %s\n", u.sysname, u.release, u.machine);

	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		printf("userfaultfd: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(fd, UFFDIO_API, &api)) {
		printf("UFFDIO_API: %s\n", strerror(errno));
		return 1;
	}
	printf("userfaultfd features: 0x%llx\n", (unsigned long long)api.features);
	for (bit = 0; bit < 64; bit++)
		if (api.features & (1ULL << bit))
			printf("  %2u %s\n", bit, feature_name(1ULL << bit));
	printf("userfaultfd ioctls: 0x%llx\n", (unsigned long long)api.ioctls);
	close(fd);
	if ((api.features & rwp) != rwp) {
		printf("error: this kernel has no userfaultfd read-write protection (UFFD_FEATURE_RWP%s missing): it is not built from the series\n",
		       api.features & UFFD_FEATURE_RWP ? "_ASYNC" : "");
		return 1;
	}
	return 0;
}
