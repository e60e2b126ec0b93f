/* UFFD_FEATURE_RWP_ASYNC: accesses resolve in the kernel, silently */
static void uffd_rwp_async_test(uffd_test_args_t *args)
{
	unsigned long len = nr_pages * page_size;
	struct rwp_worker r, w;

	rwp_setup(UFFDIO_REGISTER_MODE_RWP);
	rwp_worker_init(&r, 0, 0, false);
	rwp_worker_init(&w, 1, 0, true);
	if (rwp_serve(&r, RWP_FAULT_RWP, page_size) ||
	    rwp_serve(&w, RWP_FAULT_RWP, page_size)) {
		uffd_test_fail("async fault delivered a message");
		return;
	}
	if (r.bad) {
		uffd_test_fail("%lu loads read wrong data", r.bad);
		return;
	}
	if (area_dst_alias && rwp_check(area_dst_alias, &w, true)) {
		uffd_test_fail("stores not visible through the alias mapping");
		return;
	}
	rwprotect_range(uffd, (unsigned long)area_dst, len, false);
	if (rwp_check(area_dst, &w, true))
		uffd_test_fail("data corrupted");
	else
		uffd_test_pass();
}

static void uffd_rwp_set_mode_test(uffd_test_args_t *args)
{
	const uint64_t async = UFFD_FEATURE_RWP_ASYNC;
	unsigned long len = nr_pages * page_size, msgs;
	struct rwp_worker w, blocked;
	uint64_t ioctls = 0;
	int bad = 0, fd;

	bad += rwp_expect(uffd_set_mode(uffd, async, async), EINVAL,
			  "enable and disable overlap");
	bad += rwp_expect(uffd_set_mode(uffd, UFFD_FEATURE_RWP, 0), EINVAL,
			  "enable UFFD_FEATURE_RWP");
	bad += rwp_expect(uffd_set_mode(uffd, 0, UFFD_FEATURE_RWP), EINVAL,
			  "disable UFFD_FEATURE_RWP");
	bad += rwp_expect(uffd_set_mode(uffd, BIT_ULL(63), 0), EINVAL,
			  "enable bit 63");
	bad += rwp_expect(ioctl(uffd, UFFDIO_SET_MODE, NULL) ? -errno : 0,
			  EFAULT, "NULL argument");

	fd = rwp_uffd_open(0, &ioctls);
	if (fd < 0)
		err("UFFDIO_API without features");
	if (!(ioctls & BIT_ULL(_UFFDIO_SET_MODE))) {
		printf("\n  UFFDIO_API ioctls 0x%llx lack SET_MODE",
		       (unsigned long long)ioctls);
		bad++;
	}
	bad += rwp_expect(uffd_set_mode(fd, async, 0), EINVAL,
			  "enable async without UFFD_FEATURE_RWP");
	close(fd);

	fd = rwp_uffd_open(UFFD_FEATURE_RWP, NULL);
	if (fd < 0)
		err("UFFDIO_API with UFFD_FEATURE_RWP");
	bad += rwp_expect(uffd_set_mode(fd, async, 0), 0,
			  "enable async after negotiating RWP only");
	bad += rwp_expect(uffd_set_mode(fd, 0, async), 0, "disable async");
	close(fd);

	if (bad) {
		uffd_test_fail("%d wrong results", bad);
		return;
	}

	/* async -> sync: accesses are reported again */
	rwp_setup(UFFDIO_REGISTER_MODE_RWP);
	if (uffd_set_mode(uffd, 0, async))
		err("switch to sync");
	rwp_worker_init(&w, 0, 0, false);
	msgs = rwp_serve(&w, RWP_FAULT_RWP, page_size);
	if (msgs != w.count) {
		uffd_test_fail("%lu faults for %lu loads in sync mode",
			       msgs, w.count);
		return;
	}

	/* sync -> async: a blocked thread resolves its own fault */
	rwp_start_blocked(&blocked, 1, true);
	if (rwp_wait_done(1, 0))
		err("a store went past a protected page");
	if (uffd_set_mode(uffd, async, 0))
		err("switch to async");
	if (rwp_wait_done(1, RWP_TIMEOUT_MS) != 1)
		err("switching to async did not release the blocked thread");
	rwp_worker_join(&blocked);
	if (rwp_pending()) {
		uffd_test_fail("fault message after switching to async");
		return;
	}

	/* and later accesses are silent */
	rwp_worker_init(&w, 1, 0, false);
	msgs = rwp_serve(&w, RWP_FAULT_RWP, page_size);
	if (msgs || w.bad) {
		uffd_test_fail("%lu faults, %lu wrong loads in async mode",
			       msgs, w.bad);
		return;
	}

	rwprotect_range(uffd, (unsigned long)area_dst, len, false);
	if (rwp_check(area_dst, &blocked, true))
		uffd_test_fail("data corrupted");
	else
		uffd_test_pass();
}
