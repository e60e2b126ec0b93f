#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The docs must match the code.  For each ioctl the series adds, the errnos
# its kernel paths return (the literal -E... in the functions listed below)
# must be exactly those its "fails with:" list in the admin guide names,
# those its subsection of the patched ioctl_userfaultfd(2) names, and those
# the fuzzer accepts.  For the ioctls the series does not add, every errno
# the fuzzer accepts must be documented in the patched ioctl_userfaultfd(2)
# or be listed below as an upstream documentation gap.  Every constant and
# structure the series adds to the UAPI headers must be named in the admin
# guide and in the man pages, and every RWP or SET_MODE name these docs use
# must exist.
#   scripts/drift.sh [TREE]    (default: build/base, where make base applies
#                               the series; make drift TREE=linux checks ./linux)
# The man pages are man/series applied by scripts/man.sh prepare;
# MANDIR=dir checks the ioctl_userfaultfd.2 and userfaultfd.2 in dir instead.
. "$(dirname "$0")/lib.sh"

TREE=${1:-${TREE:-$BASE_REPO}}
GUIDE=$TREE/Documentation/admin-guide/mm/userfaultfd.rst
FUZZ=$TOP/guest/fuzz.c
PAGEMAP_DOC=$TREE/Documentation/admin-guide/mm/pagemap.rst
UAPI=$TREE/include/uapi/linux/userfaultfd.h
UAPI_FS=$TREE/include/uapi/linux/fs.h
[ -f "$GUIDE" ] || die "$GUIDE missing: make base first"
if [ -z "${MANDIR:-}" ]; then
	"$TOP/scripts/man.sh" prepare
	MANDIR=$B/man/patched/man2
fi
MAN=$MANDIR/ioctl_userfaultfd.2
[ -f "$MAN" ] && [ -f "$MANDIR/userfaultfd.2" ] || die "no man pages in $MANDIR"

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
	awk -v ioctl="$1" '
		/^\.SS/ { in_ss = ($2 == ioctl) }
		/^\.SH/ { in_ss = 0 }
		in_ss && /^\.BR? E[A-Z0-9]+/ { print $2 }' "$MAN"
}

# The constants and structures the series adds to the UAPI: the #defines
# and structs with RWP or SET_MODE in their names, and PAGE_IS_ACCESSED.
uapi_new() {
	sed -n -e 's/^#define[[:space:]]\{1,\}\([A-Z_]*\(RWP\|SET_MODE\)[A-Z_]*\)[[:space:]].*/\1/p' \
	       -e 's/^struct \(uffdio_[a-z_]*\(rwp\|set_mode\)[a-z_]*\) {.*/\1/p' "$UAPI"
	grep -ow '^#define[[:space:]]\+PAGE_IS_ACCESSED' "$UAPI_FS" | awk '{print $2}'
}

# The man pages' text, font escapes and \- undone.
man_text() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$MANDIR/ioctl_userfaultfd.2" "$MANDIR/userfaultfd.2"
}

# Whether NAME is defined: in the UAPI (#define or struct), or for
# CONFIG_X as a Kconfig symbol of mm/.
defined() {
	case $1 in
	CONFIG_*) grep -qx "config ${1#CONFIG_}" "$TREE/mm/Kconfig" ;;
	*) grep -qE "^(#define[[:space:]]+$1([[:space:](]|$)|struct $1 \{)" "$UAPI" "$UAPI_FS" ;;
	esac
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

echo "new ioctls: the patched ioctl_userfaultfd(2) ($MAN)"
for ioctl in "${!CODE[@]}"; do
	code=$(for fn in ${CODE[$ioctl]}; do code_errnos "${fn%%:*}" "${fn#*:}"; done | sorted)
	report "$ioctl: man page names what the code returns" "$code" "$(man_errnos "$ioctl" | sorted)"
done

echo "new constants: UAPI headers, admin guide and man pages"
new=$(uapi_new | sorted)
[ -n "$new" ] || die "no RWP constants in $UAPI"
nnew=$(wc -w <<<"$new")
report "admin guide: $nnew new UAPI names, missing" "" \
	"$(for n in $new; do
		grep -qw -- "$n" "$GUIDE" "$PAGEMAP_DOC" || echo "$n"
	   done | sorted)"
mtext=$(man_text)
report "man pages: $nnew new UAPI names, missing" "" \
	"$(for n in $new; do grep -qw -- "$n" <<<"$mtext" || echo "$n"; done | sorted)"
report "RWP names in the docs that the code lacks" "" \
	"$( { cat "$GUIDE" "$PAGEMAP_DOC"; echo "$mtext"; } |
	    grep -oE '\b(_?UFFD[A-Z0-9_]*(RWP|SET_MODE)[A-Z0-9_]*|uffdio_[a-z_]*(rwp|set_mode)[a-z_]*|CONFIG_[A-Z0-9_]*RWP[A-Z0-9_]*)\b' |
	    sort -u | while read -r n; do defined "$n" || echo "$n"; done | sorted)"

echo "older ioctls: fuzzer against the patched ioctl_userfaultfd(2) and the listed gaps"
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

[ $fail = 0 ] && echo "code, admin guide, man pages and fuzzer agree"
exit $fail
