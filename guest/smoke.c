// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke check of the guest kernel: print its version and what its
 * userfaultfd advertises through UFFDIO_API.
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

static const char *const feature_names[] = {
	"PAGEFAULT_FLAG_WP", "EVENT_FORK", "EVENT_REMAP", "EVENT_REMOVE",
	"MISSING_HUGETLBFS", "MISSING_SHMEM", "EVENT_UNMAP", "SIGBUS",
	"THREAD_ID", "MINOR_HUGETLBFS", "MINOR_SHMEM", "EXACT_ADDRESS",
	"WP_HUGETLBFS_SHMEM", "WP_UNPOPULATED", "POISON", "WP_ASYNC",
	"MOVE", "RWP", "RWP_ASYNC",
};

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API };
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
	for (bit = 0; bit < 64; bit++) {
		if (!(api.features & (1ULL << bit)))
			continue;
		if (bit < sizeof(feature_names) / sizeof(feature_names[0]))
			printf("  %2u %s\n", bit, feature_names[bit]);
		else
			printf("  %2u (unknown)\n", bit);
	}
	printf("userfaultfd ioctls: 0x%llx\n", (unsigned long long)api.ioctls);
	close(fd);
	return 0;
}
