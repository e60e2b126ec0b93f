#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages: man/series applied to Debian's ioctl_userfaultfd(2) and
# userfaultfd(2) (manpages-dev, man-pages 6.03).
#
#   man.sh [check]      prepare, lint (no warning the unpatched pages lack)
#                       and render to build/man/*.txt          (make man)
#   man.sh prepare      build/man/orig/man2 and build/man/patched/man2 only
#   man.sh example DIR  extract the EXAMPLES program(s) of the patched
#                       ioctl_userfaultfd.2 to DIR/NAME.c
#   man.sh edit PATCH   build/man/edit/a and .../b: the pages before and
#                       after PATCH; edit the files under b, then
#   man.sh refresh      rewrite that patch from a and b (header kept)
. "$(dirname "$0")/lib.sh"

PAGES="ioctl_userfaultfd.2 userfaultfd.2"
SYSMAN=${SYSMAN:-/usr/share/man/man2}
MDIR=$TOP/man
M=$B/man

# The patch files of man/series, in order, in the array MSERIES.
load_man_series() {
	local f
	MSERIES=()
	[ -f "$MDIR/series" ] || die "man/series missing"
	while read -r f; do
		f=${f%%#*}
		f=${f%"${f##*[![:space:]]}"}
		[ -n "$f" ] || continue
		[ -f "$MDIR/$f" ] || die "man/series names $f, which does not exist"
		MSERIES+=("$f")
	done <"$MDIR/series"
}

# copy_orig DIR: the unpatched pages into DIR/man2.
copy_orig() {
	local p
	mkdir -p "$1/man2"
	for p in $PAGES; do
		[ -f "$SYSMAN/$p.gz" ] || die "$SYSMAN/$p.gz missing: install manpages-dev (make deps)"
		zcat "$SYSMAN/$p.gz" >"$1/man2/$p"
	done
	grep -q '"Linux man-pages 6.03"' "$1/man2/ioctl_userfaultfd.2" ||
		warn "the system's pages are not man-pages 6.03, which man/ is written against"
}

# apply_one DIR PATCH
apply_one() {
	local out
	out=$(patch -d "$1" -p1 -f -s --fuzz=0 --no-backup-if-mismatch -r - \
		<"$MDIR/$2" 2>&1) || {
		echo "$out" | sed 's/^/  /' >&2
		die "man/$2 does not apply"
	}
}

prepare() {
	local p
	load_man_series
	rm -rf "$M/orig" "$M/patched"
	copy_orig "$M/orig"
	cp -r "$M/orig" "$M/patched"
	for p in "${MSERIES[@]}"; do
		apply_one "$M/patched" "$p"
	done
}

# lint DIR: the warnings of mandoc and groff for the pages in DIR, with
# line and column numbers dropped, sorted.
lint() {
	local p
	for p in $PAGES; do
		lint_one "$1" mandoc -T lint "man2/$p"
		lint_one "$1" groff -man -ww -z "man2/$p"
	done | sed -E 's/^([^:]+: *[^:]+):[0-9]+(:[0-9]+)?:/\1:/' | sort
}

# lint_one DIR CMD...: CMD's messages; its exit status only says whether
# it warned, but a timeout is an error.
lint_one() {
	local dir=$1 rc=0
	shift
	(cd "$dir" && timeout 60 "$@" 2>&1) || rc=$?
	[ $rc != 124 ] || die "'$*' timed out"
}

# render PAGE OUT: plain text, 78 columns, ragged right and not hyphenated,
# so that the unpatched and the patched text differ only where the
# patches change them.
render() {
	sed '/^\.TH /a .ad l' "$1" |
		timeout 60 groff -man -Tutf8 -rLL=78n -rHY=0 -P-c 2>/dev/null |
		col -bx >"$2"
	[ -s "$2" ] || die "rendering $1 gave nothing"
}

# extract PAGE DIR: the program of each SRC BEGIN (NAME) ... SRC END block,
# unescaped, to DIR/NAME.
extract() {
	local page=$1 dir=$2 names n
	names=$(sed -n 's/^\.\\" SRC BEGIN (\(.*\))$/\1/p' "$page")
	[ -n "$names" ] || die "$page has no SRC BEGIN block"
	mkdir -p "$dir"
	for n in $names; do
		awk -v n="$n" '
			$0 == ".\\\" SRC BEGIN (" n ")" { on = 1; next }
			on && /^\.\\" SRC END/ { exit }
			on && !/^\.(EX|EE)$/' "$page" |
		sed -e 's/\\e/\x01/g' -e 's/\\-/-/g' -e "s/\\\\\\[aq\\]/'/g" \
		    -e 's/\\\[ti\]/~/g' -e 's/\\\[ha\]/^/g' -e 's/^\\&//' >"$dir/$n.tmp"
		if grep -n '\\' "$dir/$n.tmp" >&2; then
			die "$n: an escape sequence man.sh does not know (above)"
		fi
		tr '\001' '\\' <"$dir/$n.tmp" >"$dir/$n"
		rm -f "$dir/$n.tmp"
		echo "$dir/$n"
	done
}

check() {
	local p hdr new f files
	command -v mandoc >/dev/null || die "mandoc missing (make deps)"
	command -v groff >/dev/null || die "groff missing (make deps)"
	stage man
	prepare
	lint "$M/orig" >"$M/lint-orig"
	lint "$M/patched" >"$M/lint-patched"
	echo "lint: $(wc -l <"$M/lint-orig") warnings unpatched, $(wc -l <"$M/lint-patched") patched"
	new=$(comm -13 "$M/lint-orig" "$M/lint-patched")
	if [ -n "$new" ]; then
		echo "$new" | sed 's/^/  /' >&2
		die "the patched pages have new warnings (above; full lists in $M/lint-*)"
	fi
	for p in $PAGES; do
		render "$M/orig/man2/$p" "$M/orig/$p.txt"
		render "$M/patched/man2/$p" "$M/$p.txt"
		diff -u "$M/orig/$p.txt" "$M/$p.txt" || true
	done >"$M/rendered.diff"
	# The example must compile against the series' UAPI headers, where built.
	for hdr in ${HDR:-} "$B"/obj-*/usr/include; do
		[ -f "$hdr/linux/userfaultfd.h" ] &&
			grep -q UFFDIO_RWPROTECT "$hdr/linux/userfaultfd.h" && break
		hdr=
	done
	if [ -n "$hdr" ]; then
		files=$(extract "$M/patched/man2/ioctl_userfaultfd.2" "$M/example")
		for f in $files; do
			run_logged "$LOGS/man-example.log" gcc -Wall -Wextra -Werror \
				-isystem "$hdr" -o "${f%.c}" "$f" -lpthread
		done
		echo "example compiled against $hdr"
	else
		echo "example not compiled: no UAPI headers of the series under $B/obj-* (HDR=dir)"
	fi
	stage_done "$(cd "$M" && echo *.txt)"
}

edit() {
	local name=$1 p a=$M/edit/a
	load_man_series
	printf '%s\n' "${MSERIES[@]}" | grep -qxF "$name" || die "$name is not in man/series"
	rm -rf "$M/edit"
	copy_orig "$a"
	for p in "${MSERIES[@]}"; do
		[ "$p" = "$name" ] && break
		apply_one "$a" "$p"
	done
	cp -r "$a" "$M/edit/b"
	apply_one "$M/edit/b" "$name"
	echo "$name" >"$M/edit/patch"
	echo "edit the pages in $M/edit/b/man2, then: scripts/man.sh refresh"
}

refresh() {
	local name p rc
	[ -f "$M/edit/patch" ] || die "nothing to refresh: scripts/man.sh edit PATCH first"
	name=$(cat "$M/edit/patch")
	{
		sed '/^--- a\//,$d' "$MDIR/$name"
		for p in $PAGES; do
			rc=0
			(cd "$M/edit" && diff -u --label "a/man2/$p" --label "b/man2/$p" \
				"a/man2/$p" "b/man2/$p") || rc=$?
			[ $rc -le 1 ] || exit 1
		done
	} >"$M/edit/new.patch" || die "diff failed"
	mv "$M/edit/new.patch" "$MDIR/$name"
	echo "rewrote man/$name; checking that the series still applies"
	prepare
}

case ${1:-check} in
check) check ;;
prepare) prepare ;;
example) [ -n "${2:-}" ] || die "usage: $0 example DIR"; prepare; extract "$M/patched/man2/ioctl_userfaultfd.2" "$2" ;;
edit) edit "${2:?usage: $0 edit PATCH}" ;;
refresh) refresh ;;
*) die "usage: $0 [check | prepare | example DIR | edit PATCH | refresh]" ;;
esac
