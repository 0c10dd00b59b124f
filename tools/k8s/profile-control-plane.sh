#!/usr/bin/env bash
# profile-control-plane.sh: profiles kube-apiserver on every control-plane
# node at once and merges the profiles.
#
# One Job per node, rendered from bpflame-job.yaml beside this script (the
# same pod: privileged, hostPID, the host's /sys, a hostPath results
# directory) and pinned to its node by kubernetes.io/hostname. All Jobs
# record in the same window; the terminal shows each node's state until they
# end. Each pod writes folded stacks on stdout: they are collected with
# `kubectl logs` into OUTDIR/NODE.folded (the pod's summary into NODE.log),
# checked against the pod's own sample count, and merged with `bpflame merge`
# into OUTDIR/control-plane.folded and .svg, plus a graph with one root per
# node (control-plane-by-node.svg). Each node also keeps its own .svg and
# .folded in /tmp/profiling-results. The Jobs are deleted once collected,
# and on Ctrl-C.
#
# Needs kubectl (KUBECTL) with rights to create Jobs in the namespace and
# read nodes, pods and logs; the merge needs a local bpflame (BPFLAME, else
# bpflame on PATH, else this checkout's ./bpflame).
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: profile-control-plane.sh [OPTIONS] [-- RECORD-ARGS...]
       profile-control-plane.sh [-o DIR] --from-logs NODE.log...

Records every kube-apiserver on every control-plane node at once with
bpflame (one Job per node), collects the profiles and merges them.

Options:
  -d SECONDS        recording length (default 30)
  -F HZ             samples per second per CPU (default 99)
  -i IMAGE          bpflame image (default: the one in bpflame-job.yaml)
  -n NAMESPACE      namespace of the Jobs (default kube-system)
  -l SELECTOR       which nodes (default node-role.kubernetes.io/control-plane,
                    or node-role.kubernetes.io/master where no node has it)
  -N NODE           only this node (repeatable)
  -o DIR            where the profiles go (default ./control-plane-TIME)
  --keep            keep the Jobs (and their logs) after collecting
  --dry-run=MODE    server or client: print the Jobs as kubectl apply
                    --dry-run=MODE -o json returns them; create nothing
  --from-logs FILE...  no cluster: collect and merge saved pod logs
                    (kubectl logs job/NAME > NODE.log), one file per node
  -h, --help        this text
  RECORD-ARGS       bpflame record arguments in place of the default target
                    (every kube-apiserver), e.g. -- -n etcd

Examples:
  tools/k8s/profile-control-plane.sh -d 60 -F 199 -i registry.example/bpflame:0.1.0
  tools/k8s/profile-control-plane.sh -N cp-1 -N cp-2 -o /tmp/apiserver
EOF
}

die() {
	echo "profile-control-plane.sh: $*" >&2
	exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest=$here/bpflame-job.yaml
kubectl=${KUBECTL:-kubectl}
duration=30 rate=99 image="" namespace=kube-system selector="" outdir="" keep=0 dry_run=""
nodes=() record_args=() from_logs=() job_names=() folded=()
declare -A state # Job name -> pod phase (and waiting reason)
run_id=$(date -u +%m%d-%H%M%S)

# --- nodes and Jobs ----------------------------------------------------------

find_nodes() {
	local sel
	[ ${#nodes[@]} -gt 0 ] && return
	for sel in ${selector:-node-role.kubernetes.io/control-plane node-role.kubernetes.io/master}
	do
		mapfile -t nodes < <("$kubectl" get nodes -l "$sel" \
			-o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
		[ ${#nodes[@]} -gt 0 ] && return
	done
	die "no node labelled ${selector:-node-role.kubernetes.io/control-plane (or master)}:" \
		"name them with -N"
}

json_str() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# The pod's bpflame arguments: this run's duration, rate and target, the
# manifest's outputs.
args_json() {
	local a out
	out="[\"record\", \"-d\", \"$duration\", \"-F\", \"$rate\""
	for a in "${record_args[@]}"; do out+=", $(json_str "$a")"; done
	out+=', "-o", "-", "-o", "$(POD_NAME).folded", "-o", "$(POD_NAME).svg"]'
	echo "$out"
}

# render NODE JOB: the manifest's Job as JOB, pinned to NODE, as YAML.
render() {
	local node=$1 job=$2 host
	host=$("$kubectl" get node "$node" \
		-o jsonpath='{.metadata.labels.kubernetes\.io/hostname}' 2>/dev/null) || true
	[ -n "$host" ] || host=$node
	# Values go through the environment: awk -v would expand backslashes.
	JOB=$job NS=$namespace HOST=$(json_str "$host") IMAGE=$image ARGS=$(args_json) \
		RUN=$run_id DEADLINE=$((duration + 300)) awk '
		/^#/ { next }
		/^  name: bpflame-profile$/ { print "  name: " ENVIRON["JOB"]; next }
		/^  namespace: / { print "  namespace: " ENVIRON["NS"]; next }
		/^ +app.kubernetes.io\/name: bpflame$/ {
			ind = $0; sub(/[^ ].*/, "", ind)
			print; print ind "bpflame/run: \"" ENVIRON["RUN"] "\""; next }
		/^  activeDeadlineSeconds: / {
			print "  activeDeadlineSeconds: " ENVIRON["DEADLINE"]; next }
		/^        node-role.kubernetes.io\/control-plane: ""$/ {
			print "        kubernetes.io/hostname: " ENVIRON["HOST"]; next }
		/^          image: / && ENVIRON["IMAGE"] != "" {
			print "          image: " ENVIRON["IMAGE"]; next }
		/^          args: \[/ { skip = 1; print "          args: " ENVIRON["ARGS"] }
		skip { if ($0 ~ /\]$/) skip = 0; next }
		{ print }
	' "$manifest"
}

render_all() {
	local i job
	for i in "${!nodes[@]}"; do
		job=bpflame-$run_id-$((i + 1))
		job_names+=("$job")
		echo "---"
		render "${nodes[$i]}" "$job"
	done
}

delete_jobs() {
	[ "$keep" = 1 ] || [ ${#job_names[@]} -eq 0 ] && return
	"$kubectl" -n "$namespace" delete job "${job_names[@]}" --ignore-not-found \
		--cascade=background --wait=false >/dev/null 2>&1 || true
}

# --- progress ----------------------------------------------------------------

poll_pods() {
	local job phase reason fmt
	fmt='{range .items[*]}{.metadata.labels.job-name}{" "}{.status.phase}{" "}'
	fmt+='{.status.containerStatuses[0].state.waiting.reason}{"\n"}{end}'
	while read -r job phase reason; do
		[ -n "$job" ] || continue
		state[$job]=$phase
		[ -n "$reason" ] && [ "$phase" != Succeeded ] && state[$job]="$phase ($reason)"
	done < <("$kubectl" -n "$namespace" get pods -l "bpflame/run=$run_id" \
		-o jsonpath="$fmt" 2>/dev/null || true)
}

# Shows every node's state (one line redrawn on a terminal, a line per
# change otherwise) until every pod ended or duration + 300 s passed.
wait_jobs() {
	local start=$SECONDS limit=$((duration + 300)) last="" line i n tty=0
	[ -t 1 ] && tty=1
	while :; do
		poll_pods
		line="" n=0
		for i in "${!nodes[@]}"; do
			line+="  ${nodes[$i]}: ${state[${job_names[$i]}]:-Pending}"
			case ${state[${job_names[$i]}]:-} in Succeeded* | Failed*) n=$((n + 1)) ;; esac
		done
		if [ $tty = 1 ]; then
			printf '\r\033[K[%ss/%ss]%s' $((SECONDS - start)) "$duration" "$line"
		elif [ "$line" != "$last" ]; then
			echo "[$((SECONDS - start))s/${duration}s]$line"
		fi
		last=$line
		[ "$n" -eq ${#nodes[@]} ] && break
		if [ $((SECONDS - start)) -ge $limit ]; then
			[ $tty = 1 ] && echo
			echo "profile-control-plane.sh: not every pod ended within $limit s;" \
				"collecting what there is" >&2
			break
		fi
		sleep 2
	done
	[ $tty = 1 ] && echo
	return 0
}

# --- collect -----------------------------------------------------------------

# split_log NODE FILE STATE: one pod's log (FILE) into OUTDIR/NODE.folded and
# OUTDIR/NODE.log; adds the profile to `folded` if it holds samples. stdout
# (folded stacks) and stderr (bpflame's summary) share a pod's log: bpflame's
# lines start with "bpflame: " or a space, folded lines never do.
split_log() {
	local node=$1 log=$2 st=$3 got want
	grep -v -e '^bpflame: ' -e '^ ' "$log" >"$outdir/$node.folded.tmp" || true
	grep -e '^bpflame: ' -e '^ ' "$log" >"$outdir/$node.log.tmp" || true
	mv "$outdir/$node.folded.tmp" "$outdir/$node.folded"
	mv "$outdir/$node.log.tmp" "$outdir/$node.log"
	got=$(awk '{ s += $NF } END { print s + 0 }' "$outdir/$node.folded")
	want=$(awk '/^ +[0-9]+  .* \[[0-9]+\]$/ { s += $1 } END { print s + 0 }' \
		"$outdir/$node.log")
	if [ "$st" != Succeeded ]; then
		echo "  $node: $st: $(grep -m1 '^bpflame: error: ' "$outdir/$node.log" ||
			echo "see $outdir/$node.log")" >&2
	elif [ "$got" -eq 0 ]; then
		echo "  $node: no samples ($(grep -m1 '^bpflame: recorded' "$outdir/$node.log" ||
			echo 'no summary'))" >&2
	elif ! grep -q ' more processes$' "$outdir/$node.log" && [ "$got" != "$want" ]; then
		echo "  $node: the log holds $got of $want samples (rotated?): the whole" \
			"profile is in /tmp/profiling-results/ on the node" >&2
		folded+=("$outdir/$node.folded")
	else
		echo "  $node: $got samples -> $outdir/$node.folded"
		folded+=("$outdir/$node.folded")
	fi
}

collect_jobs() {
	local i node job
	for i in "${!nodes[@]}"; do
		node=${nodes[$i]} job=${job_names[$i]}
		if "$kubectl" -n "$namespace" logs "job/$job" >"$outdir/$node.podlog" \
			2>"$outdir/$node.err"; then
			split_log "$node" "$outdir/$node.podlog" "${state[$job]:-no pod}"
		else
			echo "  $node: ${state[$job]:-no pod}, no logs ($(head -1 "$outdir/$node.err"))" >&2
		fi
		rm -f "$outdir/$node.podlog" "$outdir/$node.err"
	done
}

# --- merge -------------------------------------------------------------------

merge() {
	local bpflame f n
	bpflame=${BPFLAME:-$(command -v bpflame || echo "$here/../../bpflame")}
	if [ ! -x "$bpflame" ]; then
		echo "no local bpflame to merge with (set BPFLAME): the profiles are in $outdir/"
		return 0
	fi
	# bpflame merge where this bpflame has it; for folded input, summing
	# equal stacks is the same merge.
	if ! "$bpflame" merge "${folded[@]}" -o "$outdir/control-plane.folded" \
		2>"$outdir/merge.err"; then
		echo "bpflame merge: $(head -1 "$outdir/merge.err"); summing the stacks instead" >&2
		cat "${folded[@]}" | awk '{
			i = match($0, / [0-9.]+$/)
			if (i) sum[substr($0, 1, i - 1)] += substr($0, i + 1)
		} END { for (s in sum) print s, sum[s] }' | LC_ALL=C sort \
			>"$outdir/control-plane.folded"
	fi
	rm -f "$outdir/merge.err"
	"$bpflame" svg --title "kube-apiserver on ${#folded[@]} control-plane node(s)" \
		-o "$outdir/control-plane.svg" "$outdir/control-plane.folded"
	# One root per node: the node's name below each of its stacks.
	for f in "${folded[@]}"; do
		n=$(basename "$f" .folded)
		sed "s|^|${n//|/_};|" "$f"
	done | "$bpflame" svg --title "kube-apiserver by control-plane node" \
		-o "$outdir/control-plane-by-node.svg"
	echo "merged ${#folded[@]} node(s): $outdir/control-plane.svg," \
		"$outdir/control-plane.folded, $outdir/control-plane-by-node.svg"
}

# --- main --------------------------------------------------------------------

while [ $# -gt 0 ]; do
	case $1 in
	-d) duration=${2:?-d needs SECONDS}; shift 2 ;;
	-F) rate=${2:?-F needs HZ}; shift 2 ;;
	-i) image=${2:?-i needs IMAGE}; shift 2 ;;
	-n) namespace=${2:?-n needs NAMESPACE}; shift 2 ;;
	-l) selector=${2:?-l needs SELECTOR}; shift 2 ;;
	-N) nodes+=("${2:?-N needs NODE}"); shift 2 ;;
	-o) outdir=${2:?-o needs DIR}; shift 2 ;;
	--keep) keep=1; shift ;;
	--dry-run=server | --dry-run=client) dry_run=${1#--dry-run=}; shift ;;
	--from-logs) shift; from_logs=("$@"); break ;;
	-h | --help) usage; exit 0 ;;
	--) shift; record_args=("$@"); break ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done
[[ $duration =~ ^[1-9][0-9]*$ ]] || die "-d: expected a number of seconds, got '$duration'"
[[ $rate =~ ^[1-9][0-9]*$ ]] || die "-F: expected a rate in Hz, got '$rate'"
outdir=${outdir:-control-plane-$run_id}

if [ ${#from_logs[@]} -gt 0 ]; then
	for f in "${from_logs[@]}"; do [ -r "$f" ] || die "cannot read $f"; done
	mkdir -p "$outdir"
	for f in "${from_logs[@]}"; do
		n=$(basename "$f")
		split_log "${n%.*}" "$f" Succeeded
	done
else
	[ -r "$manifest" ] || die "cannot read $manifest"
	command -v "$kubectl" >/dev/null || die "no kubectl (set KUBECTL)"
	find_nodes
	manifests=$(render_all)
	mapfile -t job_names < <(printf '%s\n' "$manifests" | sed -n 's/^  name: //p')
	if [ -n "$dry_run" ]; then
		printf '%s\n' "$manifests" | "$kubectl" apply --dry-run="$dry_run" -o json -f -
		exit
	fi
	mkdir -p "$outdir"
	trap delete_jobs EXIT
	trap 'echo; echo "profile-control-plane.sh: interrupted, deleting the Jobs" >&2; exit 130' \
		INT TERM
	printf '%s\n' "$manifests" | "$kubectl" apply -f - >/dev/null ||
		die "cannot create the Jobs in namespace $namespace"
	echo "profiling on ${#nodes[@]} node(s) for $duration s at $rate Hz: ${nodes[*]}"
	wait_jobs
	collect_jobs
fi
[ ${#folded[@]} -gt 0 ] || die "no profile collected"
merge
