#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure (tinyconfig + config/{base,$ARCH,debug}.config fragments) and
# build the kernel in build/obj-[arm64-]{debug,fast}, then install its UAPI
# headers there.
. "$(dirname "$0")/lib.sh"

SRC=$BASE_REPO
FRAGS=("$TOP/config/base.config" "$TOP/config/$ARCH.config")
[ "${FAST:-0}" = 1 ] || FRAGS+=("$TOP/config/debug.config")
FRAGS+=(${EXTRA_CONFIG:-})
KMAKE=(make -C "$SRC" O="$OBJ" CC="ccache ${CROSS}gcc" HOSTCC="ccache gcc" -j"$JOBS")
[ -z "$CROSS" ] || KMAKE+=(ARCH="$ARCH" CROSS_COMPILE="$CROSS")
command -v "${CROSS}gcc" >/dev/null || die "${CROSS}gcc missing (ARCH=$ARCH make deps)"

mkdir -p "$OBJ"
stamp=$(cat "${FRAGS[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/.rwp-config" 2>/dev/null)" != "$stamp" ]; then
	stage config
	run_logged "$LOGS/config.log" "${KMAKE[@]}" tinyconfig
	run_logged "$LOGS/config.log" "$SRC/scripts/kconfig/merge_config.sh" -m \
		-O "$OBJ" "$OBJ/.config" "${FRAGS[@]}"
	run_logged "$LOGS/config.log" "${KMAKE[@]}" olddefconfig
	# Every option a fragment sets must survive Kconfig's dependency checks.
	bad=
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) opt=${line%=n}
			grep -q "^$opt=" "$OBJ/.config" && bad="$bad $line" ;;
		CONFIG_*=*) grep -qx -- "$line" "$OBJ/.config" || bad="$bad $line" ;;
		esac
	done < <(cat "${FRAGS[@]}" | sed -e 's/#.*//' -e 's/[[:space:]]*$//')
	[ -z "$bad" ] || die "Kconfig did not keep:$bad (see $OBJ/.config)"
	echo "$stamp" >"$OBJ/.rwp-config"
	stage_done "$FLAVOUR, $(grep -c '=y' "$OBJ/.config") options =y"
fi

stage kernel
ccache -z >/dev/null
run_logged "$LOGS/kernel-build.log" "${KMAKE[@]}" "$(basename "$IMAGE")"
run_logged "$LOGS/headers.log" "${KMAKE[@]}" headers_install
warnings=$(grep -c ' warning: ' "$LOGS/kernel-build.log" || true)
stage_done "$FLAVOUR, $warnings compiler warnings, ccache $(ccache -s | awk '/Hits:/{print $2 " hits"; exit}')"
