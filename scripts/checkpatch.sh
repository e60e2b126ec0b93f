#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the base tree's scripts/checkpatch.pl --strict over every patch of
# the series; any error, warning or check fails.
. "$(dirname "$0")/lib.sh"

CP=$BASE_REPO/scripts/checkpatch.pl
[ -x "$CP" ] || die "$CP missing: make base first"
# Whether MAINTAINERS of the base has an F: pattern for FILE or one of its
# directories (all the series adds is under tools/testing/selftests/mm/).
maintained() {
	local d=$1
	while [ "$d" != . ]; do
		grep -qxF -e "F:	$d" -e "F:	$d/" "$BASE_REPO/MAINTAINERS" && return 0
		d=$(dirname "$d")
	done
	return 1
}

stage checkpatch
load_series
bad=0 n=0
for p in "${SERIES[@]}"; do
	n=$((n + 1))
	# checkpatch asks whether MAINTAINERS needs updating for every added
	# file (FILE_PATH_CHANGES); check instead that an entry covers it.
	out=
	for f in $(awk '/^--- \/dev\/null/ {getline; sub(/^\+\+\+ b\//, ""); print}' "$p"); do
		maintained "$f" || out="$out  $f: added, and no MAINTAINERS entry covers it
"
	done
	# The base is a release tarball without git history, so the commit
	# a Fixes: tag names cannot be looked up (UNKNOWN_COMMIT_ID).
	if ! cp_out=$(cd "$BASE_REPO" && "$CP" --strict --no-tree --quiet \
			--show-types --ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID \
			"$p" 2>&1); then
		out="$out$(echo "$cp_out" | sed 's/^/  /')
"
	fi
	if [ -n "$out" ]; then
		echo "$(basename "$p"):"
		printf '%s' "$out"
		bad=$((bad + 1))
	fi
done
stage_done "$n patches, $bad with findings"
[ "$bad" = 0 ]
