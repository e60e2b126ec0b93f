#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the base kernel as a git repository (build/base, tag "base") and
# apply patches/series to it as commits.
#
#   base.sh prepare        create build/base from Debian's tarball or $KSRC
#   base.sh apply BRANCH   (re)create BRANCH = base + series, checked out
#                          in build/base
#   base.sh tree           developer work tree $TREE (default ./linux):
#                          base + series as commits on branch "rwp"
#   base.sh export         write the commits base..HEAD of $TREE back to
#                          patches/ (git format-patch) and patches/series
. "$(dirname "$0")/lib.sh"
. "$TOP/base/pin"

GIT_ID=(-c user.name="RWP harness" -c user.email="harness@rwp.invalid"
	-c commit.gpgsign=false)

# Print "6.12.N" for a kernel tree, or fail.
kernel_version() {
	[ -f "$1/Makefile" ] || die "$1: no Makefile: not a kernel tree"
	make -s -C "$1" kernelversion 2>/dev/null ||
		die "$1: 'make kernelversion' failed: not a kernel tree"
}

check_version() {
	local found=$1 what=$2
	case $found in
	6.12.*) ;;
	*) die "$what is Linux $found; this series needs a 6.12.y kernel (pinned: $VERSION)" ;;
	esac
	[ "$found" = "$VERSION" ] ||
		warn "$what is $found, the series is pinned to $VERSION; continuing"
}

prepare() {
	local src id
	if [ -n "${KSRC:-}" ]; then
		src=$(cd "$KSRC" 2>/dev/null && pwd) || die "KSRC=$KSRC: no such directory"
		id="ksrc:$src"
		if [ -d "$src/.git" ] || [ -f "$src/.git" ]; then
			id="$id@$(git -C "$src" rev-parse HEAD)"
		fi
	else
		[ -f "$TARBALL" ] || die "$TARBALL missing: install linux-source-6.12 (make deps)"
		id="tarball:$(stat -c '%s-%Y' "$TARBALL")"
	fi
	if [ -f "$BASE_REPO/.git/rwp-source" ] &&
	   [ "$(cat "$BASE_REPO/.git/rwp-source")" = "$id" ]; then
		return 0
	fi

	stage base
	rm -rf "$BASE_REPO.new"
	mkdir -p "$BASE_REPO.new"
	if [ -n "${KSRC:-}" ]; then
		check_version "$(kernel_version "$src")" "KSRC=$KSRC"
		# Copy, never touch the user's tree: tracked files only if it is git.
		if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
			git -C "$src" ls-files -z |
				tar -C "$src" --null -T - -cf - | tar -C "$BASE_REPO.new" -xf -
		else
			tar -C "$src" --exclude=.git -cf - . | tar -C "$BASE_REPO.new" -xf -
		fi
	else
		echo "verifying $TARBALL"
		local sum
		sum=$(sha256sum "$TARBALL" | cut -d' ' -f1)
		if [ "$sum" != "$SHA256" ]; then
			warn "$TARBALL sha256 $sum differs from the pinned $DEBIAN_VERSION ($SHA256)"
		fi
		tar -C "$BASE_REPO.new" --strip-components=1 -xf "$TARBALL"
		check_version "$(kernel_version "$BASE_REPO.new")" "$TARBALL"
	fi
	(
		cd "$BASE_REPO.new"
		git init -q -b base-import
		git add -f -A .
		# Fixed identity and dates: the same base always gets the same id.
		GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" \
		GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
		git "${GIT_ID[@]}" commit -q -m "Linux $(kernel_version .) (base for the RWP series)"
		git tag base
		echo "$id" >.git/rwp-source
	)
	rm -rf "$BASE_REPO"
	mv "$BASE_REPO.new" "$BASE_REPO"
	stage_done "$(git -C "$BASE_REPO" log -1 --format=%s base)"
}

# am_one REPO PATCH: apply one patch; on failure show the rejected hunks.
am_one() {
	local repo=$1 p=$2
	# --empty=drop: the cover letter has no diff and makes no commit
	if git -C "$repo" "${GIT_ID[@]}" am -q --keep-cr --committer-date-is-author-date \
		--empty=drop "$p" >"$LOGS/am.log" 2>&1; then
		return 0
	fi
	echo "error: patch does not apply: patches/$(basename "$p")" >&2
	sed 's/^/  /' "$LOGS/am.log" >&2
	git -C "$repo" am --show-current-patch=diff >"$LOGS/failed.diff" 2>/dev/null || true
	git -C "$repo" am --abort >/dev/null 2>&1 || true
	if [ -s "$LOGS/failed.diff" ]; then
		git -C "$repo" apply --reject "$LOGS/failed.diff" >/dev/null 2>&1 || true
		echo "rejected hunks:" >&2
		local f
		for f in $(sed -n 's|^+++ b/||p' "$LOGS/failed.diff" | sort -u); do
			[ -f "$repo/$f.rej" ] || continue
			cat "$repo/$f.rej" >&2
			rm -f "$repo/$f.rej"
		done
		git -C "$repo" checkout -q -f HEAD
	fi
	exit 1
}

apply() {
	local branch=$1 stamp p n=0
	prepare
	load_series
	stamp=$( (git -C "$BASE_REPO" rev-parse base; cat /dev/null "${SERIES[@]}") |
		sha256sum | cut -d' ' -f1)
	if [ "$(git -C "$BASE_REPO" symbolic-ref -q --short HEAD)" = "$branch" ] &&
	   [ "$(cat "$BASE_REPO/.git/rwp-$branch" 2>/dev/null)" = "$stamp" ] &&
	   git -C "$BASE_REPO" diff --quiet HEAD; then
		return 0
	fi
	stage apply
	git -C "$BASE_REPO" checkout -q -f -B "$branch" base
	for p in "${SERIES[@]}"; do
		am_one "$BASE_REPO" "$p"
	done
	n=$(git -C "$BASE_REPO" rev-list --count base..HEAD)
	echo "$stamp" >"$BASE_REPO/.git/rwp-$branch"
	stage_done "$n patches"
}

TREE=${TREE:-$TOP/linux}
COVER=0000-cover-letter.patch

tree() {
	local p desc
	prepare
	load_series
	if [ -e "$TREE" ]; then
		[ "${FORCE:-0}" = 1 ] || die "$TREE exists (your work?): FORCE=1 make tree replaces it"
		git -C "$BASE_REPO" worktree remove --force "$TREE" 2>/dev/null || rm -rf "$TREE"
	fi
	git -C "$BASE_REPO" worktree prune
	stage tree
	git -C "$BASE_REPO" worktree add -q -f -B rwp "$TREE" base
	for p in "${SERIES[@]}"; do
		am_one "$TREE" "$p"
	done
	# The cover letter's own text lives in the branch description.
	if [ -f "$TOP/patches/$COVER" ]; then
		desc=$(awk '
			/^Subject: / { sub(/^Subject: \[[^]]*\] */, ""); subj = $0; next }
			subj != "" && !body && /^$/ { body = 1; next }
			body && /^[^ ].* \([0-9]+\):$/ { exit }
			body { text = text $0 "\n" }
			END { printf "%s\n\n%s", subj, text }' "$TOP/patches/$COVER")
		git -C "$TREE" config branch.rwp.description "$desc"
	fi
	stage_done "$(git -C "$TREE" rev-list --count base..HEAD) patches on branch rwp in $TREE"
	echo "edit and commit there (git commit --fixup, git rebase -i base); then: make export"
}

export_series() {
	local n date
	[ -d "$TREE" ] || die "$TREE missing: make tree first"
	git -C "$TREE" diff --quiet HEAD && git -C "$TREE" diff --cached --quiet ||
		die "$TREE has uncommitted changes: commit them first"
	n=$(git -C "$TREE" rev-list --count base..HEAD)
	stage export
	# -f: a previous export may be staged and not committed yet
	git -C "$TOP" rm -q -f --ignore-unmatch -- 'patches/*.patch' >/dev/null
	rm -f "$TOP"/patches/*.patch
	{
		echo "# userfaultfd read-write protection (RWP) for Linux 6.12.y"
		echo "#"
		echo '# Apply in this order with "git am --empty=drop" (or let "make tree"'
		echo '# do it); 0000-cover-letter.patch has no diff and is dropped.'
		echo '# Regenerated by "make export"; do not edit by hand.'
	} >"$TOP/patches/series"
	if [ "$n" -gt 0 ]; then
		local cover=() branch
		branch=$(git -C "$TREE" symbolic-ref --short HEAD)
		if [ -n "$(git -C "$TREE" config "branch.$branch.description")" ]; then
			cover=(--cover-letter --cover-from-description=subject)
		fi
		# Reproducible output: zero commit ids, no git version signature,
		# the cover letter (from the branch description) dated like the
		# last patch.
		date=$(git -C "$TREE" log -1 --format=%aI HEAD)
		GIT_COMMITTER_DATE=$date git -C "$TREE" format-patch -q --zero-commit \
			--no-signature "${cover[@]}" -o "$TOP/patches" base..HEAD
		(cd "$TOP/patches" && ls [0-9]*.patch) >>"$TOP/patches/series"
	fi
	git -C "$TOP" add patches
	stage_done "$n patches"
	git -C "$TOP" status --short patches
}

case ${1:-} in
tree) tree ;;
export) export_series ;;
prepare) prepare ;;
apply) apply "${2:?branch}" ;;
*) die "usage: $0 prepare | apply BRANCH | tree | export" ;;
esac
