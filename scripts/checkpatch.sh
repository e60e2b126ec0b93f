#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the base tree's scripts/checkpatch.pl --strict over every patch of
# the series; any error, warning or check fails.
. "$(dirname "$0")/lib.sh"

CP=$BASE_REPO/scripts/checkpatch.pl
[ -x "$CP" ] || die "$CP missing: make base first"
stage checkpatch
load_series
bad=0 n=0
for p in "${SERIES[@]}"; do
	n=$((n + 1))
	if ! out=$(cd "$BASE_REPO" && "$CP" --strict --no-tree --quiet \
			--show-types "$p" 2>&1); then
		echo "$(basename "$p"):"
		echo "$out" | sed 's/^/  /'
		bad=$((bad + 1))
	fi
done
stage_done "$n patches, $bad with findings"
[ "$bad" = 0 ]
