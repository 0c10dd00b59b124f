# tools/demo-common.sh: what tools/demo.sh and tools/apiserver/demo.sh share (source it).
#   demo_abs PATH            PATH made absolute against the caller's directory
#   demo_preflight NAME      exits 1 with a line naming NAME unless run as root with ./bpflame
#                            built (the caller has cd'ed to the repository)
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

demo_summary() {
	echo
	echo "flame graph: $1  (folded stacks: $2)"
	./bpflame report -n 10 "$2"
}
