#!/bin/bash
# record_libs.t: native frames resolve by name wherever the code lives: a
# function in a shared library (linked with rpath $ORIGIN), the same in a
# library dlopen()ed after bpflame attached, a PIE and a non-PIE
# executable, an executable deleted after it started (maps shows
# "(deleted)": bpflame must read it through /proc/PID/map_files/), one that
# lives in another mount namespace, where the host has a decoy binary at the
# same path (a container: the path in maps must not be opened on the host),
# and the vDSO.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 15

t_check "bft_pie is a PIE (ELF type DYN)" \
	grep -q 'DYN' <(readelf -h "$FIX/bft_pie" | grep 'Type:')
t_check "bft_nopie is position dependent (ELF type EXEC)" \
	grep -q 'EXEC' <(readelf -h "$FIX/bft_nopie" | grep 'Type:')

cp "$FIX/bft_del" "$TMP/bft_del"
rec_spawn LIB "$FIX/bft_lib" 60
rec_spawn PIE "$FIX/bft_pie" 60
rec_spawn NOPIE "$FIX/bft_nopie" 60
rec_spawn DL "$FIX/bft_dl" 60 wait
rec_spawn DEL "$TMP/bft_del" 60 wait
rec_spawn VDSO "$FIX/bft_vdso" 60
# Mount namespace: a tmpfs over $TMP/ns holds the real binary (bft_pie as
# bft_ns); on the host the same path holds bft_cpu, whose symbols differ.
# $TMP/ns is made a private mount first, so the fixture's tmpfs stays in its
# namespace (`unshare --propagation private` fails where / is no mount
# point, as in a chroot).
mkdir "$TMP/ns"
NS="" NS_WHY=""
if ! command -v unshare >/dev/null; then
	NS_WHY="unshare (util-linux) is not installed"
elif ! rec_mount_private "$TMP/ns"; then
	NS_WHY="cannot bind-mount $TMP/ns on itself (no CAP_SYS_ADMIN in this container?)"
else
	cp "$FIX/bft_cpu" "$TMP/ns/bft_ns"
	# shellcheck disable=SC2016
	rec_spawn NS unshare --mount --propagation unchanged sh -c \
		'mount -t tmpfs tmpfs "$1" && cp "$2" "$1/bft_ns" && exec "$1/bft_ns" 60' \
		sh "$TMP/ns" "$FIX/bft_pie"
	ns_started() {
		[ "$(cat /proc/"$NS"/comm 2>/dev/null)" = bft_ns ] || ! kill -0 "$NS" 2>/dev/null
	}
	wait_for "the namespaced fixture to start" 60 ns_started
	if [ "$(cat /proc/"$NS"/comm 2>/dev/null)" != bft_ns ]; then
		NS_WHY="the fixture in a mount namespace of its own did not start: $(
			head -c 300 "${REC_OUT[$NS]}" | tr '\n' ' ')"
		NS=""
	fi
fi
t_check "the deleted fixture removed its executable (maps says '(deleted)')" \
	eval "[ ! -e '$TMP/bft_del' ] && grep -q 'bft_del (deleted)' /proc/$DEL/maps"
kill -USR1 "$DEL"

out=$TMP/libs.folded
pids="$LIB,$PIE,$NOPIE,$DL,$DEL,$VDSO${NS:+,$NS}"
# Until each fixture used half a CPU second (~500 samples each at 999 Hz);
# the dlopen fixture loads its library once bpflame is attached.
REC_ON_ATTACH="kill -USR1 $DL"
rec_cpu libs 0.5 "$pids" -p "$pids" -F 999 -o "$out"
REC_ON_ATTACH=""
rc=$(cat "$TMP/libs.rc")
t_is "$rc" 0 "record -p of $(tr , '\n' <<<"$pids" | wc -l) fixtures exits 0" || rec_diag libs
problems=$(fq validate "$out" 2>&1)
t_is "$problems" "" "folded output well formed"

# check COMM CHAIN DESC PID: at least 50 samples of COMM, 80% of them ending in CHAIN.
check() {
	local comm=$1 chain=$2 desc=$3 pid=$4 all hit
	all=$(fq ucount "$out" "^$comm;")
	hit=$(fq ucount "$out" "^$comm;(.*;)?$chain\$")
	if [ "$all" -lt 50 ]; then
		tap_not_ok "$desc: only $all samples of $comm"
		rec_diag libs "$out"
		fixture_diag "$pid"
		return
	fi
	t_num "$(ratio "$hit" "$all")" '>=' 80 "$desc ($hit of $all samples)" ||
		rec_diag libs "$out"
}
check bft_lib 'main;lib_caller;hot_lib' "shared library: main;lib_caller;hot_lib" "$LIB"
check bft_pie 'main;single_caller;hot_single' "PIE: main;single_caller;hot_single" "$PIE"
check bft_nopie 'main;single_caller;hot_single' "non-PIE: main;single_caller;hot_single" "$NOPIE"
check bft_dl 'main;dl_caller;hot_lib' \
	"library dlopen()ed after attach: main;dl_caller;hot_lib" "$DL"
check bft_del 'main;deleted_caller;hot_deleted' \
	"deleted executable: main;deleted_caller;hot_deleted" "$DEL"
if [ -n "$NS" ]; then
	check bft_ns 'main;single_caller;hot_single' \
		"binary in another mount namespace (host decoy at its path): main;single_caller;hot_single" \
		"$NS"
else
	tap_skip "binary in another mount namespace: $NS_WHY"
fi
check bft_vdso '(__vdso_)?clock_gettime' "vDSO: the leaf is clock_gettime" "$VDSO"
bad=$(fq ucount "$out" '^bft_vdso;(.*;)?\[(vdso|unknown)\]$')
t_is "$bad" 0 "vDSO: no leaf frame is [vdso] or [unknown]" || rec_diag libs "$out"

# Frames outside any symbol carry the module name, never a raw address.
raw=$(fq count "$out" '(^|;)(0x)?[0-9a-f]{6,}(;|$)')
t_is "$raw" 0 "no frame is a bare hex address"
# The frames above main are in libc: libc's names or [libc.so.6], not [unknown].
unk=$(fq ucount "$out" '^bft_(lib|pie|nopie);(.*;)?\[unknown\];(.*;)?main;')
all=$(fq ucount "$out" '^bft_(lib|pie|nopie);')
t_num "$(ratio "$unk" "$all")" '<=' 5 \
	"frames above main (in libc) are not [unknown] ($unk of $all)" ||
	rec_diag libs "$out"
exit "$TAP_FAILED"
