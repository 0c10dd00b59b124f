# tools/demo-common.sh: what tools/demo.sh and tools/apiserver/demo.sh share (source it).
#   demo_abs PATH            PATH made absolute against the caller's directory
#   demo_preflight NAME      exits 1 with a line naming NAME unless run as root with ./bpflame
#                            built (the caller has cd'ed to the repository)
#   demo_build               builds tools/demo into build/demo/bpflame-demo (Go 1.23 where
#                            installed; stripped and static, like kube-apiserver)
#   demo_start LOAD SECONDS  starts it in the background with LOAD client goroutines for
#                            SECONDS; sets demo_pid and demo_url, its log in build/demo/; exits 1
#                            if it does not start
#   demo_stop                stops it if it still runs (for an EXIT trap)
#   demo_summary OUT FOLDED  where the outputs are, then `bpflame report` of FOLDED: the top
#                            functions and, for a program a preset recognizes, its categories

demo_abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

demo_preflight() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$1: must run as root (bpflame loads a BPF program): sudo $0" >&2
		exit 1
	fi
	if [ ! -x ./bpflame ]; then
		echo "$1: ./bpflame not found; run 'make' first" >&2
		exit 1
	fi
}

demo_build() {
	local go=go
	[ -x /usr/lib/go-1.23/bin/go ] && go=/usr/lib/go-1.23/bin/go
	mkdir -p build/demo
	echo "building build/demo/bpflame-demo with $("$go" version | cut -d' ' -f3)"
	(cd tools/demo && GOCACHE="$PWD/../../build/gocache" GOPATH="$PWD/../../build/gopath" \
		GOTOOLCHAIN=local GOPROXY=off GOFLAGS='' CGO_ENABLED=0 "$go" build -trimpath \
		-ldflags='-s -w' -o ../../build/demo/bpflame-demo .)
}

demo_pid=
demo_url=
demo_start() {
	local log=build/demo/bpflame-demo.log
	build/demo/bpflame-demo -load "$1" -duration "$2" >"$log" 2>&1 &
	demo_pid=$!
	demo_url=
	for _ in $(seq 100); do
		demo_url=$(sed -n 's/^listening on //p' "$log")
		[ -n "$demo_url" ] && return 0
		kill -0 "$demo_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "the demo target did not start; its log ($log):" >&2
	cat "$log" >&2
	exit 1
}

demo_stop() {
	if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
		kill "$demo_pid" 2>/dev/null || true
		wait "$demo_pid" 2>/dev/null || true
	fi
}

demo_summary() {
	echo
	echo "flame graph: $1  (folded stacks: $2)"
	./bpflame report -n 10 "$2"
}
