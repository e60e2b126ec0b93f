#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The docs must match the code.  For each ioctl the series adds, the errnos
# its kernel paths return (the literal -E... in the functions listed below)
# must be exactly those its "fails with:" list in the admin guide names,
# and those the fuzzer accepts.  For the ioctls the series does not add,
# every errno the fuzzer accepts must be documented in ioctl_userfaultfd(2)
# or be listed below as an upstream documentation gap.
#   scripts/drift.sh [TREE]    (default: build/base, where make base applies
#                               the series; make drift TREE=linux checks ./linux)
. "$(dirname "$0")/lib.sh"

TREE=${1:-${TREE:-$BASE_REPO}}
GUIDE=$TREE/Documentation/admin-guide/mm/userfaultfd.rst
FUZZ=$TOP/guest/fuzz.c
MAN=${MAN:-/usr/share/man/man2/ioctl_userfaultfd.2.gz}
[ -f "$GUIDE" ] || die "$GUIDE missing: make base first"
[ -f "$MAN" ] || die "$MAN missing: install manpages-dev (make deps)"

# The code paths of the new ioctls: file:function (or file:macro).
declare -A CODE=(
	[UFFDIO_RWPROTECT]="fs/userfaultfd.c:userfaultfd_ioctl
		fs/userfaultfd.c:userfaultfd_rwprotect
		fs/userfaultfd.c:validate_range
		fs/userfaultfd.c:validate_unaligned_range
		mm/userfaultfd.c:mrwprotect_range
		mm/mprotect.c:change_pmd_prepare"
	[UFFDIO_SET_MODE]="fs/userfaultfd.c:userfaultfd_ioctl
		fs/userfaultfd.c:userfaultfd_set_mode"
)

# Errnos the upstream code returns that man-pages 6.03 does not name (the
# ioctl is older than the series; its man page is not this project's).
declare -A GAPS=(
	[UFFDIO_API]="EPERM"		# UFFD_FEATURE_EVENT_FORK unprivileged
	[UFFDIO_REGISTER]="ENOMEM EPERM ENOENT EAGAIN"
	[UFFDIO_UNREGISTER]="EFAULT ENOMEM ENOENT EAGAIN EBUSY"
	[UFFDIO_WRITEPROTECT]="ESRCH ENOMEM"
	[UFFDIO_WAKE]="EFAULT"
	[UFFDIO_COPY]="EFAULT EEXIST ENOMEM"
	[UFFDIO_ZEROPAGE]="EFAULT EEXIST ENOENT ENOMEM ENOSPC"
	[UFFDIO_MOVE]="EINVAL EFAULT EEXIST ENOENT EBUSY ENOMEM EAGAIN ESRCH"	# not in 6.03
	[PAGEMAP_SCAN]="EINVAL EFAULT ENOMEM EPERM ESRCH"	# not in 6.03
)

sorted() { tr ' \t' '\n\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# Literal -Exxx returned by a function or function-like macro.
code_errnos() {	# file name
	awk -v name="$2" '
		!body && ($0 ~ "^#define[ \t]+" name "\\(" ||
			  ($0 ~ "^[a-z].*[ *]" name "\\(" && $0 !~ ";[ \t]*$")) {
			body = 1; macro = ($0 ~ /^#define/)
		}
		body {
			s = $0
			while (match(s, /-E[A-Z0-9]+/)) {
				print substr(s, RSTART + 1, RLENGTH - 1)
				s = substr(s, RSTART + RLENGTH)
			}
			if ((macro && $0 !~ /\\$/) || (!macro && $0 ~ /^}/))
				exit
		}' "$TREE/$1"
}

# The ``Exxx`` bullets of the guide's "``IOCTL`` fails with:" list.
guide_errnos() {
	awk -v ioctl="$1" '
		/^$/ { if (inlist && seen) exit; para = ""; next }
		{ para = para " " $0 }
		!inlist && /fails with:$/ && index(para, "``" ioctl "``") { inlist = 1; next }
		inlist && match($0, /^- ``E[A-Z0-9]+``/) {
			print substr($0, RSTART + 4, RLENGTH - 6); seen = 1
		}' "$GUIDE"
}

# The errnos of the fuzzer's table entry for IOCTL.
fuzz_errnos() {
	awk '/^} table\[NR_OPS\] = {/, /^};/' "$FUZZ" | tr '\n' ' ' |
		grep -o "\"$1\",[^}]*}" | cut -d, -f2- | grep -o '\<E[A-Z0-9]\+'
}

# The errnos the man page names in IOCTL's subsection (.SS).
man_errnos() {
	zcat -f "$MAN" | awk -v ioctl="$1" '
		/^\.SS/ { in_ss = ($2 == ioctl) }
		/^\.SH/ { in_ss = 0 }
		in_ss && /^\.BR? E[A-Z0-9]+/ { print $2 }'
}

fail=0
report() {	# what expected got
	if [ "$2" = "$3" ]; then
		printf '  ok    %-44s %s\n' "$1" "$2"
	else
		printf '  DRIFT %-44s expected: %s\n%52s got: %s\n' "$1" "$2" "" "$3"
		fail=1
	fi
}

echo "new ioctls: code, admin guide and fuzzer"
for ioctl in "${!CODE[@]}"; do
	code=$(for fn in ${CODE[$ioctl]}; do code_errnos "${fn%%:*}" "${fn#*:}"; done | sorted)
	[ -n "$code" ] || die "no errnos found for $ioctl: are the functions in CODE still there?"
	report "$ioctl: guide names what the code returns" "$code" "$(guide_errnos "$ioctl" | sorted)"
	report "$ioctl: fuzzer accepts what the code returns" "$code" "$(fuzz_errnos "$ioctl" | sorted)"
done

echo "older ioctls: fuzzer against ioctl_userfaultfd(2) and the listed gaps"
for ioctl in "${!GAPS[@]}"; do
	man=$(man_errnos "$ioctl" | sorted)
	gaps=$(sorted <<<"${GAPS[$ioctl]}")
	fuzz=$(fuzz_errnos "$ioctl" | sorted)
	[ -n "$fuzz" ] || die "$ioctl is not in the fuzzer's table"
	report "$ioctl: fuzzer accepts only documented errnos" "" \
		"$(comm -23 <(tr ' ' '\n' <<<"$fuzz") <(tr ' ' '\n' <<<"$man $gaps" | sort -u) | sorted)"
	# A gap the man page now fills, or the fuzzer no longer needs, goes.
	report "$ioctl: no stale gap" "" \
		"$( (comm -12 <(tr ' ' '\n' <<<"$gaps") <(tr ' ' '\n' <<<"$man");
		     comm -23 <(tr ' ' '\n' <<<"$gaps") <(tr ' ' '\n' <<<"$fuzz")) | sorted)"
done

[ $fail = 0 ] && echo "docs, code and fuzzer agree"
exit $fail
