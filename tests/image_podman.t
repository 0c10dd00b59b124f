#!/usr/bin/env bash
# image_podman.t: the debug image (make image, make image-archive), run under
# podman the way a cluster runs the bpflame pod: runc, privileged, the host's
# PID namespace, the host's /sys, a host results directory at /results, and
# a read-only root filesystem (nothing in the image writes outside /results).
#
# The targets are host processes: a stripped Go program (tests/fixtures/
# golive) copied as kube-apiserver, so that `record` with no target finds it,
# and a second copy under another name for -n. Each missing pod setting
# (privileged, hostPID, /sys) gives one error line naming what to add.
#
# podman's storage, run root and configuration are private to this script
# (tests/lib/image.sh): the host's images and containers are never touched,
# and every container, image, mount and file made here is gone at exit.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/image.sh"
GO=/usr/lib/go-1.23/bin/go
command -v "$GO" >/dev/null || GO=$(command -v go || true)
export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=

[ "$(id -u)" = 0 ] || tap_bail "the image tests need root"
for tool in podman runc python3; do
	command -v "$tool" >/dev/null || tap_bail "$tool is not installed (tools/install-deps.sh --test)"
done
[ -n "$GO" ] || tap_bail "no Go toolchain (tools/install-deps.sh --test)"

TMP=$(mktemp -d /tmp/bpflame-image.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	img_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
img_setup "$TMP/podman"
tap_plan 23

IMAGE=localhost/bpflame:test-$$
ARCHIVE=$TMP/bpflame-image.tar
LIMIT=$((3 * 1000 * 1000))
fq() { python3 "$ROOT/tests/lib/folded.py" "$@"; }

# t_one_line NAME REGEX DESC: NAME exited 2 with exactly one stderr line,
# an error matching REGEX, and wrote nothing to the results directory.
t_one_line() {
	local name=$1 re=$2 desc=$3 lines
	lines=$(wc -l <"$TMP/podman/$name.err")
	if [ "$(cat "$TMP/podman/$name.rc")" = 2 ] && [ "$lines" = 1 ] &&
		grep -Eq "^bpflame: error: .*$re" "$TMP/podman/$name.err" &&
		[ -z "$(ls -A "$RESULTS")" ]; then
		tap_ok "$desc: $(cat "$TMP/podman/$name.err")"
		return 0
	fi
	tap_not_ok "$desc"
	{ echo "exit $(cat "$TMP/podman/$name.rc"), stderr:"; cat "$TMP/podman/$name.err"
	  echo "results:"; ls -A "$RESULTS"; } | tap_diag
	return 1
}

# summary_pids NAME: the PIDs of the per-process lines of bpflame's summary.
summary_pids() {
	sed -nE 's/^ +[0-9]+  .* \[([0-9]+)\]$/\1/p' "$TMP/podman/$1.err" | sort -n | tr '\n' ' '
}

# --- the image ------------------------------------------------------------
make -C "$ROOT" -s image IMAGE="$IMAGE" >"$TMP/make.log" 2>&1
if [ $? -eq 0 ] && podman image exists "$IMAGE"; then
	tap_ok "make image builds $IMAGE with podman"
else
	tap_not_ok "make image builds $IMAGE with podman"
	tap_diag <"$TMP/make.log"
	tap_bail "no image to test"
fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
[ "$size" -lt "$LIMIT" ]
[ $? -eq 0 ] && tap_ok "image size $size bytes < 3 MB" || tap_not_ok "image size $size bytes < 3 MB"

label() { podman image inspect --format "{{index .Labels \"org.opencontainers.image.$1\"}}" "$IMAGE"; }
version=$(cat "$ROOT/VERSION")
revision=$(git -C "$ROOT" rev-parse HEAD)
if [ "$(label version)" = "$version" ] && [ "$(label title)" = bpflame ] &&
	case $(label revision) in "$revision" | "$revision-dirty") true ;; *) false ;; esac &&
	[ -n "$(label created)" ]; then
	tap_ok "labels: version $version, revision $(label revision), created $(label created)"
else
	tap_not_ok "OCI labels: version, title, revision, created"
	podman image inspect --format '{{json .Labels}}' "$IMAGE" | tap_diag
fi
cfg=$(podman image inspect --format '{{json .Config.Entrypoint}} {{.Config.WorkingDir}} {{.Config.User}}' "$IMAGE")
[ "$cfg" = '["/bpflame"] /results ' ]
[ $? -eq 0 ] && tap_ok "entrypoint /bpflame, working directory /results, user root" ||
	{ tap_not_ok "entrypoint /bpflame, working directory /results, user root"; echo "$cfg" | tap_diag; }

# The archive: one layer whose only file is the static bpflame.
make -C "$ROOT" -s image-archive IMAGE="$IMAGE" IMAGE_ARCHIVE="$ARCHIVE" >"$TMP/make.log" 2>&1
ok=$?
asize=$(stat -c %s "$ARCHIVE" 2>/dev/null || echo 0)
[ $ok -eq 0 ] && [ "$asize" -gt 0 ] && [ "$asize" -lt "$LIMIT" ]
[ $? -eq 0 ] && tap_ok "make image-archive: $asize bytes < 3 MB" ||
	{ tap_not_ok "make image-archive writes an archive under 3 MB"; tap_diag <"$TMP/make.log"; }
mkdir "$TMP/layout"
tar -xf "$ARCHIVE" -C "$TMP/layout" 2>/dev/null
layers=$(python3 - "$TMP/layout" <<'PY'
import json, os, sys
root = sys.argv[1]
index = json.load(open(os.path.join(root, "index.json")))
m = json.load(open(os.path.join(root, "blobs", *index["manifests"][0]["digest"].split(":"))))
print(" ".join(os.path.join(root, "blobs", *l["digest"].split(":")) for l in m["layers"]))
PY
)
files=$(for l in $layers; do tar -tzf "$l"; done | grep -v '/$' | tr '\n' ' ')
kind=$(for l in $layers; do tar -xzOf "$l" bpflame; done | file -b - | grep -o 'statically linked')
[ "$(echo $layers | wc -w)" = 1 ] && [ "$files" = "bpflame " ] && [ -n "$kind" ]
[ $? -eq 0 ] && tap_ok "one layer, one file: a statically linked bpflame" ||
	{ tap_not_ok "one layer, one file: a statically linked bpflame"; echo "files: $files" | tap_diag; }

# Loaded back from the archive (podman reads its OCI layout) and through
# Docker's manifest.json (what docker load reads): the same image.
id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
podman rmi -f "$IMAGE" >/dev/null 2>&1
podman load -q -i "$ARCHIVE" >"$TMP/load.log" 2>&1
[ "$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null)" = "$id" ]
[ $? -eq 0 ] && tap_ok "podman load of the archive gives back $IMAGE (${id:0:12})" ||
	{ tap_not_ok "podman load of the archive gives back $IMAGE"; tap_diag <"$TMP/load.log"; }
podman rmi -f "$IMAGE" >/dev/null 2>&1
podman pull -q "docker-archive:$ARCHIVE" >"$TMP/load.log" 2>&1
[ "$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null)" = "$id" ]
[ $? -eq 0 ] && tap_ok "the archive's Docker manifest.json names the same image" ||
	{ tap_not_ok "the archive's Docker manifest.json names the same image"; tap_diag <"$TMP/load.log"; }
podman image exists "$IMAGE" || make -C "$ROOT" -s image IMAGE="$IMAGE" >/dev/null 2>&1

# --- host targets -----------------------------------------------------------
mkdir -p "$TMP/bin"
"$GO" build -C "$ROOT/tests/fixtures/golive" -trimpath -ldflags='-s -w' \
	-o "$TMP/bin/kube-apiserver" . 2>"$TMP/build.err" ||
	{ tap_diag <"$TMP/build.err"; tap_bail "cannot build the Go fixture"; }
cp "$TMP/bin/kube-apiserver" "$TMP/bin/bft-img-go"
"$TMP/bin/kube-apiserver" 600 2>/dev/null &
API=$!
PIDS+=("$API")
"$TMP/bin/bft-img-go" 600 2>/dev/null &
OTHER=$!
PIDS+=("$OTHER")

RESULTS=$TMP/results
mkdir "$RESULTS"
mapfile -t POD < <(img_pod_flags)
# Read-only root and no tmpfs anywhere: /results is the only writable path.
RO=(--read-only --read-only-tmpfs=false -v "$RESULTS:/results")

# record with no target: every kube-apiserver (this one; a real one that
# happens to run on the host would be recorded too).
img_run default "${POD[@]}" "${RO[@]}" "$IMAGE" record -d 3 -F 499 -o flame.svg -o out.folded
rc=$(cat "$TMP/podman/default.rc")
[ "$rc" = 0 ] && tap_ok "record with no target in the pod exits 0" ||
	{ tap_not_ok "record with no target in the pod exits 0 (got $rc)"; tap_diag <"$TMP/podman/default.err"; }
case " $(summary_pids default) " in
*" $API "*) tap_ok "the host's kube-apiserver (PID $API) is recorded" ;;
*) tap_not_ok "the host's kube-apiserver (PID $API) is recorded"; tap_diag <"$TMP/podman/default.err" ;;
esac
# Its hot function, symbolized from the stripped binary through /proc/PID/root.
total=$(fq count "$RESULTS/out.folded" '^kube-apiserver;' 2>/dev/null || echo 0)
spin=$(fq count "$RESULTS/out.folded" '^kube-apiserver;.*main\.spin' 2>/dev/null || echo 0)
[ "$spin" -gt 0 ] && [ $((spin * 100)) -ge $((total * 50)) ]
[ $? -eq 0 ] && tap_ok "main.spin holds most kube-apiserver samples ($spin of $total)" ||
	{ tap_not_ok "main.spin holds most kube-apiserver samples ($spin of $total)"
	  fq top "$RESULTS/out.folded" 8 2>&1 | tap_diag; }
left=$(ls -A "$RESULTS" | tr '\n' ' ')
[ "$left" = "flame.svg out.folded " ] && tail -c 8 "$RESULTS/flame.svg" | grep -q '</svg>' &&
	fq validate "$RESULTS/out.folded" >/dev/null
[ $? -eq 0 ] && tap_ok "complete outputs land in the host directory, nothing else ($left)" ||
	tap_not_ok "complete outputs land in the host directory, nothing else ($left)"
rm -f "$RESULTS"/*

# -n NAME and -p PID,PID name host processes.
img_run byname "${POD[@]}" "${RO[@]}" "$IMAGE" record -n bft-img-go -d 2 -F 499 -o n.folded
[ "$(cat "$TMP/podman/byname.rc")" = 0 ] && [ "$(summary_pids byname)" = "$OTHER " ] &&
	[ "$(fq comms "$RESULTS/n.folded" | cut -d' ' -f1)" = bft-img-go ]
[ $? -eq 0 ] && tap_ok "-n bft-img-go records that host process (PID $OTHER) only" ||
	{ tap_not_ok "-n bft-img-go records that host process (PID $OTHER) only"
	  tap_diag <"$TMP/podman/byname.err"; }
img_run bypid "${POD[@]}" "${RO[@]}" "$IMAGE" record -p "$API,$OTHER" -d 2 -F 499 -o p.folded
want=$(printf '%s\n' "$API" "$OTHER" | sort -n | tr '\n' ' ')
[ "$(cat "$TMP/podman/bypid.rc")" = 0 ] && [ "$(summary_pids bypid)" = "$want" ]
[ $? -eq 0 ] && tap_ok "-p $API,$OTHER records exactly those host processes" ||
	{ tap_not_ok "-p $API,$OTHER records exactly those host processes"
	  tap_diag <"$TMP/podman/bypid.err"; }
[ "$(ls -A "$RESULTS" | tr '\n' ' ')" = "n.folded p.folded " ]
[ $? -eq 0 ] && tap_ok "the -n and -p outputs are in the host directory" ||
	tap_not_ok "the -n and -p outputs are in the host directory ($(ls -A "$RESULTS"))"
rm -f "$RESULTS"/*

# --- each missing pod setting: one line naming it ----------------------------
REC=(record -d 2 -o x.folded)
img_run nopriv --pid=host -v /sys:/sys "${RO[@]}" "$IMAGE" "${REC[@]}"
t_one_line nopriv 'privileged: true.*--privileged' "not privileged"
img_run nopid --privileged -v /sys:/sys "${RO[@]}" "$IMAGE" "${REC[@]}"
t_one_line nopid 'hostPID: true.*--pid=host' "no host PID namespace"
# podman, like containerd, mounts a sysfs of its own in a privileged
# container; a runtime that does not is a tmpfs over /sys here.
img_run nosys --privileged --pid=host --mount type=tmpfs,destination=/sys "${RO[@]}" \
	"$IMAGE" "${REC[@]}"
t_one_line nosys '/sys/kernel/btf/vmlinux is missing.*hostPath.*/sys.*-v /sys:/sys' "no /sys"
img_run masked --privileged --pid=host -v /sys:/sys --security-opt mask=/sys/kernel/btf \
	"${RO[@]}" "$IMAGE" "${REC[@]}"
t_one_line masked '/sys/kernel/btf/vmlinux is missing.*-v /sys:/sys' "/sys/kernel/btf masked"
# Two settings missing: two lines, one each.
img_run plain "${RO[@]}" "$IMAGE" "${REC[@]}"
if [ "$(cat "$TMP/podman/plain.rc")" = 2 ] && [ "$(wc -l <"$TMP/podman/plain.err")" = 2 ] &&
	grep -q 'privileged: true' "$TMP/podman/plain.err" &&
	grep -q 'hostPID: true' "$TMP/podman/plain.err"; then
	tap_ok "neither privileged nor hostPID: one line for each"
else
	tap_not_ok "neither privileged nor hostPID: one line for each"
	tap_diag <"$TMP/podman/plain.err"
fi
# What runs in the image needs none of this.
img_run version "${RO[@]}" "$IMAGE" --version
[ "$(cat "$TMP/podman/version.out")" = "bpflame $version" ]
[ $? -eq 0 ] && tap_ok "bpflame --version in an unprivileged container: bpflame $version" ||
	tap_not_ok "bpflame --version in an unprivileged container"

# --- cleanup ------------------------------------------------------------------
for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
wait 2>/dev/null
PIDS=()
[ -z "$(podman ps -a -q)" ]
[ $? -eq 0 ] && tap_ok "no container is left (--rm)" || tap_not_ok "no container is left"
img_cleanup
[ -z "$(awk -v d="$TMP" 'index($2, d) == 1' /proc/mounts)" ]
[ $? -eq 0 ] && tap_ok "no mount is left under the private storage" ||
	tap_not_ok "no mount is left under the private storage"
exit $TAP_FAILED
