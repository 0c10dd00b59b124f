# tests/lib/image.sh: podman for the image_*.t TAP scripts (source it).
#
# Runs podman as a cluster runs the bpflame pod, with everything it creates
# kept under the script's temporary directory: a private storage root and
# run root (CONTAINERS_STORAGE_CONF), and a containers.conf (CONTAINERS_CONF)
# that picks runc (crun fails on these hosts: "cgroups in hybrid mode not
# supported"), clears podman's default rlimits (root here lacks
# CAP_SYS_RESOURCE, so raising them fails) and logs no events. The host's own
# podman storage and configuration are never touched; img_cleanup removes
# every container, image and mount the script made. TMPDIR moves there too
# (podman load, make image-archive). What podman keeps outside it anyway:
# its blob cache (/var/lib/containers/cache) and runc's empty /run/runc.
#
#   img_setup DIR            private podman state under DIR; exports PODMAN
#   img_cleanup              removes containers, images, storage, mounts
#   img_run NAME ARGS...     podman run --rm ARGS, stdout and stderr in
#                            DIR/NAME.out and DIR/NAME.err, status in DIR/NAME.rc
#   img_pod_flags            the flags of a complete bpflame pod (privileged,
#                            host PID namespace, /sys), one per line

IMG_DIR=""

img_setup() {
	IMG_DIR=$1
	mkdir -p "$IMG_DIR/storage" "$IMG_DIR/run" "$IMG_DIR/libpod" "$IMG_DIR/tmp"
	cat >"$IMG_DIR/containers.conf" <<-EOF
	[containers]
	default_ulimits = []
	[engine]
	runtime = "runc"
	cgroup_manager = "cgroupfs"
	events_logger = "none"
	tmp_dir = "$IMG_DIR/libpod"
	image_copy_tmp_dir = "$IMG_DIR/tmp"
	EOF
	cat >"$IMG_DIR/storage.conf" <<-EOF
	[storage]
	driver = "overlay"
	graphroot = "$IMG_DIR/storage"
	runroot = "$IMG_DIR/run"
	EOF
	export CONTAINERS_CONF=$IMG_DIR/containers.conf
	export CONTAINERS_STORAGE_CONF=$IMG_DIR/storage.conf
	export PODMAN=podman TMPDIR=$IMG_DIR/tmp
}

img_cleanup() {
	[ -n "$IMG_DIR" ] && [ -d "$IMG_DIR/storage" ] || return 0
	podman rm -a -f -t 0 >/dev/null 2>&1
	podman rmi -a -f >/dev/null 2>&1
	# Whatever podman left mounted under the private root, deepest first.
	awk -v d="$IMG_DIR" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
}

img_run() {
	local name=$1 rc=0
	shift
	podman run --rm --network none "$@" >"$IMG_DIR/$name.out" 2>"$IMG_DIR/$name.err" || rc=$?
	echo "$rc" >"$IMG_DIR/$name.rc"
}

img_pod_flags() {
	printf '%s\n' --privileged --pid=host -v /sys:/sys
}
