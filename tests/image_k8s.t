#!/usr/bin/env bash
# image_k8s.t: the Kubernetes files of tools/k8s/ against a real
# kube-apiserver (tests/lib/apiserver.sh: Debian's 1.20.2 source, with etcd,
# token authentication and RBAC), and the Job's pod run for real.
#
# - bpflame-job.yaml passes `kubectl apply --dry-run=server`, and what the
#   server keeps of it is the pod bpflame needs: privileged, hostPID, the
#   host's /sys read-only, a hostPath results directory, read-only root,
#   control-plane tolerations and node selector, no service account token.
# - profile-control-plane.sh --dry-run=server renders one valid Job per
#   control-plane node (registered Node objects: three control-plane nodes
#   and a worker), each pinned to its node's hostname, with -d/-F/-i applied.
# - The `kubectl debug node/NAME --profile=sysadmin` recipe of README.md
#   makes the pod it promises (kubectl >= 1.30).
# - The Job's pod as the server returns it, for two nodes, run under podman
#   (tests/lib/pod_run.py: the kubelet's part) while the real kube-apiserver
#   serves a load: both record it, with its authentication and authorization
#   filters, into the hostPath directory; profile-control-plane.sh
#   --from-logs collects their logs and merges them.
#
# What a cluster has and the bare apiserver lacks is added as a cluster
# would: --allow-privileged=true (kubeadm sets it), Node objects, and the
# kube-system default service account with its token secret (the
# controller-manager makes them). Not covered: Jobs turning into pods
# (controller-manager), pods scheduled and logs served (kubelet), so the
# script's live wait and `kubectl logs` run only against a real cluster.
#   APISERVER_LIB: the harness to use (default tests/lib/apiserver.sh)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/image.sh"
K8S=$ROOT/tools/k8s
SCRIPT=$K8S/profile-control-plane.sh
APISERVER_LIB=${APISERVER_LIB:-$ROOT/tests/lib/apiserver.sh}
PLAN=14

if [ ! -r "$APISERVER_LIB" ]; then
	echo "1..0 # SKIP no real kube-apiserver harness ($APISERVER_LIB, from issue 10's apiserver half)"
	exit 0
fi
[ "$(id -u)" = 0 ] || tap_bail "the image tests need root"
for tool in podman runc python3 kubectl curl openssl etcd; do
	command -v "$tool" >/dev/null || tap_bail "$tool is not installed (tools/install-deps.sh --test)"
done
. "$APISERVER_LIB"
tap_plan $PLAN
skip_rest() {
	while [ "$TAP_N" -lt "$PLAN" ]; do tap_skip "$1"; done
	exit $TAP_FAILED
}

rc=0
REAL=$(apiserver_bin) || rc=$?
case $rc in
0) ;;
3) skip_rest "Debian's kubernetes source package cannot be fetched" ;;
*) tap_bail "no kube-apiserver (apiserver_bin status $rc)" ;;
esac

TMP=$(mktemp -d /tmp/bpflame-k8s.XXXXXX)
cleanup() {
	apiserver_stop "$TMP/api"
	img_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT
img_setup "$TMP/podman"
mkdir -p "$TMP/api" "$TMP/bin"
# kubeadm runs kube-apiserver with --allow-privileged=true; exec keeps the
# process's name kube-apiserver.
printf '#!/bin/sh\nexec %q --allow-privileged=true "$@"\n' "$REAL" >"$TMP/bin/kube-apiserver"
chmod +x "$TMP/bin/kube-apiserver"
export APISERVER_BIN=$TMP/bin/kube-apiserver
apiserver_start "$TMP/api" >"$TMP/start.log" 2>&1 ||
	{ tap_diag <"$TMP/start.log"; tap_bail "kube-apiserver did not start"; }
export KUBECONFIG=$TMP/api/admin.kubeconfig
IMAGE=localhost/bpflame:k8s-$$

# Three control-plane nodes (hostname labels differ from the names, as on
# some clouds) and a worker; the default service account with its token.
for n in cp-1 cp-2 cp-3 worker-1; do
	role='node-role.kubernetes.io/control-plane: ""'
	[ "$n" = worker-1 ] && role='node-role.kubernetes.io/worker: ""'
	cat <<-EOF
	---
	apiVersion: v1
	kind: Node
	metadata:
	  name: $n
	  labels:
	    kubernetes.io/hostname: host-$n
	    $role
	spec:
	  taints:
	    - key: node-role.kubernetes.io/master
	      effect: NoSchedule
	EOF
done | kubectl apply -f - >"$TMP/nodes.log" 2>&1 || { tap_diag <"$TMP/nodes.log"; tap_bail "cannot register nodes"; }
kubectl -n kube-system get sa default >/dev/null 2>&1 ||
	kubectl -n kube-system create sa default >/dev/null
uid=$(kubectl -n kube-system get sa default -o jsonpath='{.metadata.uid}')
cat <<EOF | kubectl apply -f - >/dev/null
apiVersion: v1
kind: Secret
metadata:
  name: default-token
  namespace: kube-system
  annotations:
    kubernetes.io/service-account.name: default
    kubernetes.io/service-account.uid: "$uid"
type: kubernetes.io/service-account-token
data: {token: dGVzdA==, ca.crt: dGVzdA==, namespace: a3ViZS1zeXN0ZW0=}
EOF
kubectl -n kube-system patch sa default -p '{"secrets":[{"name":"default-token"}]}' >/dev/null

# --- the Job manifest --------------------------------------------------------
if kubectl apply --dry-run=server -f "$K8S/bpflame-job.yaml" >"$TMP/apply.log" 2>&1; then
	tap_ok "kubectl apply --dry-run=server -f bpflame-job.yaml: $(cat "$TMP/apply.log")"
else
	tap_not_ok "kubectl apply --dry-run=server -f bpflame-job.yaml"
	tap_diag <"$TMP/apply.log"
fi
kubectl create --dry-run=server -o json -f "$K8S/bpflame-job.yaml" >"$TMP/job.json" 2>&1
python3 - "$TMP/job.json" >"$TMP/job.check" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
p = j["spec"]["template"]["spec"]
c = p["containers"][0]
vols = {v["name"]: v["hostPath"]["path"] for v in p["volumes"]}
mounts = {m["mountPath"]: (vols[m["name"]], m.get("readOnly", False)) for m in c["volumeMounts"]}
tol = {(t["key"], t.get("effect")) for t in p["tolerations"]}
checks = {
    "hostPID": p.get("hostPID") is True,
    "privileged": c["securityContext"].get("privileged") is True,
    "readOnlyRootFilesystem": c["securityContext"].get("readOnlyRootFilesystem") is True,
    "/sys from the host, read-only": mounts.get("/sys") == ("/sys", True),
    "/results from a hostPath": mounts.get("/results", ("",))[0] == "/tmp/profiling-results",
    "workingDir /results": c.get("workingDir") == "/results",
    "control-plane node selector":
        p.get("nodeSelector") == {"node-role.kubernetes.io/control-plane": ""},
    "control-plane and master tolerations":
        {("node-role.kubernetes.io/control-plane", "NoSchedule"),
         ("node-role.kubernetes.io/master", "NoSchedule")} <= tol,
    "no service account token": p.get("automountServiceAccountToken") is False,
    "record with -d, -F and outputs":
        c["args"][0] == "record" and "-d" in c["args"] and "-F" in c["args"]
        and "-o" in c["args"],
    "restartPolicy Never, no retries":
        p["restartPolicy"] == "Never" and j["spec"]["backoffLimit"] == 0,
}
bad = [k for k, v in checks.items() if not v]
print(", ".join(bad) if bad else ", ".join(checks))
sys.exit(1 if bad else 0)
PY
if [ $? -eq 0 ]; then
	tap_ok "the server's Job: $(cat "$TMP/job.check")"
else
	tap_not_ok "the server's Job has the pod bpflame needs"
	tap_diag <"$TMP/job.check"
fi

# --- profile-control-plane.sh: one Job per control-plane node -----------------
"$SCRIPT" --dry-run=server -d 7 -F 199 -i "$IMAGE" >"$TMP/dry.json" 2>"$TMP/dry.err"
rc=$?
python3 - "$TMP/dry.json" "$IMAGE" >"$TMP/dry.check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
jobs = d["items"] if d.get("kind") == "List" else [d]
pins = sorted(j["spec"]["template"]["spec"]["nodeSelector"]["kubernetes.io/hostname"] for j in jobs)
names = {j["metadata"]["name"] for j in jobs}
ok = pins == ["host-cp-1", "host-cp-2", "host-cp-3"] and len(names) == 3
for j in jobs:
    c = j["spec"]["template"]["spec"]["containers"][0]
    a = c["args"]
    ok = ok and c["image"] == sys.argv[2] and a[a.index("-d") + 1] == "7" \
        and a[a.index("-F") + 1] == "199"
print(f"{len(jobs)} Jobs pinned to {pins}")
sys.exit(0 if ok else 1)
PY
if [ $rc -eq 0 ] && [ $? -eq 0 ]; then
	tap_ok "--dry-run=server: $(cat "$TMP/dry.check"), not the worker, -d/-F/-i applied"
else
	tap_not_ok "--dry-run=server: one Job per control-plane node"
	cat "$TMP/dry.check" "$TMP/dry.err" | tap_diag
fi
[ -z "$(kubectl -n kube-system get jobs -o name)" ]
[ $? -eq 0 ] && tap_ok "--dry-run created no Job" || tap_not_ok "--dry-run created no Job"
"$SCRIPT" -N cp-2 --dry-run=server -- -n etcd >"$TMP/one.json" 2>"$TMP/one.err" &&
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
a = j["spec"]["template"]["spec"]["containers"][0]["args"]
sys.exit(0 if a[a.index("-n") + 1] == "etcd" else 1)' "$TMP/one.json"
[ $? -eq 0 ] && tap_ok "-N NODE -- -n etcd: one Job recording etcd" ||
	{ tap_not_ok "-N NODE -- -n etcd: one Job recording etcd"; tap_diag <"$TMP/one.err"; }
"$SCRIPT" -l no-such-label=1 >"$TMP/none.out" 2>&1
rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$TMP/none.out")" = 1 ]
[ $? -eq 0 ] && tap_ok "no node matches: one line, exit 2 ($(cat "$TMP/none.out"))" ||
	{ tap_not_ok "no node matches: one line, exit 2"; tap_diag <"$TMP/none.out"; }

# --- kubectl debug node/NAME --profile=sysadmin ----------------------------------
minor=$(kubectl version --client -o json 2>/dev/null |
	python3 -c 'import json, sys, re; print(re.sub(r"\D", "", json.load(sys.stdin)["clientVersion"]["minor"]))')
if [ "${minor:-0}" -lt 30 ]; then
	tap_skip "kubectl debug --profile=sysadmin needs kubectl >= 1.30 (client 1.$minor)"
else
	kubectl debug node/cp-1 -n kube-system --profile=sysadmin --image="$IMAGE" \
		-- /bpflame record -d 30 -o /host/tmp/apiserver.svg >"$TMP/debug.log" 2>&1
	pod=$(kubectl -n kube-system get pods -o name | grep node-debugger-cp-1 | head -1)
	kubectl -n kube-system get "$pod" -o json >"$TMP/debug.json" 2>>"$TMP/debug.log"
	python3 - "$TMP/debug.json" <<'PY' >>"$TMP/debug.log" 2>&1
import json, sys
p = json.load(open(sys.argv[1]))["spec"]
c = p["containers"][0]
ok = (p.get("hostPID") and p.get("nodeName") == "cp-1"
      and c["securityContext"].get("privileged")
      and c["command"][:2] == ["/bpflame", "record"]
      and any(m["mountPath"] == "/host" for m in c["volumeMounts"]))
sys.exit(0 if ok else 1)
PY
	[ $? -eq 0 ] && tap_ok "kubectl debug node/cp-1 --profile=sysadmin: privileged, hostPID, on cp-1, runs /bpflame record" ||
		{ tap_not_ok "the kubectl debug recipe makes the pod it promises"; tap_diag <"$TMP/debug.log"; }
	[ -n "$pod" ] && kubectl -n kube-system delete "$pod" --wait=false >/dev/null 2>&1
fi

# --- the Job's pod, run for real on two "nodes" ----------------------------------
make -C "$ROOT" -s image IMAGE="$IMAGE" >"$TMP/make.log" 2>&1 ||
	{ tap_diag <"$TMP/make.log"; tap_bail "make image failed"; }
"$SCRIPT" -N cp-1 -N cp-2 --dry-run=server -d 10 -F 499 -i "$IMAGE" >"$TMP/two.json" 2>&1
python3 - "$TMP/two.json" "$TMP" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, j in enumerate(d["items"], 1):
    json.dump(j, open(f"{sys.argv[2]}/cp-{i}.job.json", "w"))
PY
apiserver_load "$TMP/api" 60
PODS=()
for n in cp-1 cp-2; do
	mkdir -p "$TMP/$n"
	if ! python3 "$ROOT/tests/lib/pod_run.py" "$TMP/$n.job.json" "bpflame-$n-x1" \
		--map "/tmp/profiling-results=$TMP/$n" >"$TMP/$n.args" 2>"$TMP/$n.podrun"; then
		tap_diag <"$TMP/$n.podrun"
		continue
	fi
	mapfile -t args <"$TMP/$n.args"
	podman run --network none "${args[@]}" >/dev/null 2>&1 &
	PODS+=($!)
done
rcs=""
for p in "${PODS[@]}"; do wait "$p"; rcs+="$? "; done
[ "$rcs" = "0 0 " ]
[ $? -eq 0 ] && tap_ok "the Job's pod (pod_run.py) ran on both nodes: exit 0 0" ||
	{ tap_not_ok "the Job's pod ran on both nodes (exit $rcs)"; cat "$TMP"/*.podrun 2>/dev/null | tap_diag; }
for n in cp-1 cp-2; do
	podman logs "bpflame-$n-x1" >"$TMP/$n.log" 2>&1
	podman rm -f "bpflame-$n-x1" >/dev/null 2>&1
done
grep -h '^bpflame: ' "$TMP/cp-1.log" | tap_diag
ok=1
for n in cp-1 cp-2; do
	grep -Eq "^ +[0-9]+  kube-apiserver \[$APISERVER_PID\]\$" "$TMP/$n.log" || ok=0
done
[ $ok = 1 ] && tap_ok "both pods recorded the host's kube-apiserver (PID $APISERVER_PID)" ||
	{ tap_not_ok "both pods recorded the host's kube-apiserver (PID $APISERVER_PID)"
	  grep -h '^ ' "$TMP/cp-1.log" "$TMP/cp-2.log" | tap_diag; }
ls "$TMP/cp-1" "$TMP/cp-2" | tr '\n' ' ' >"$TMP/files"
[ -s "$TMP/cp-1/bpflame-cp-1-x1.svg" ] && [ -s "$TMP/cp-1/bpflame-cp-1-x1.folded" ] &&
	[ -s "$TMP/cp-2/bpflame-cp-2-x1.svg" ] && [ "$(ls "$TMP/cp-1" | wc -l)" = 2 ]
[ $? -eq 0 ] && tap_ok "each node's hostPath holds \$(POD_NAME).svg and .folded, nothing else" ||
	{ tap_not_ok "each node's hostPath holds \$(POD_NAME).svg and .folded"; tap_diag <"$TMP/files"; }
f=$TMP/cp-1/bpflame-cp-1-x1.folded
authn=$(grep -c 'filters\.WithAuthentication' "$f")
authz=$(grep -c 'filters\.WithAuthorization' "$f")
[ "$authn" -gt 0 ] && [ "$authz" -gt 0 ]
[ $? -eq 0 ] && tap_ok "authentication and authorization filter frames ($authn, $authz stacks)" ||
	tap_not_ok "authentication and authorization filter frames ($authn, $authz stacks)"

# --- collect and merge what the pods logged --------------------------------------
"$SCRIPT" -o "$TMP/merged" --from-logs "$TMP/cp-1.log" "$TMP/cp-2.log" \
	>"$TMP/merge.out" 2>&1
rc=$?
sum() { awk '{ s += $NF } END { print s + 0 }' "$@"; }
pod_total() { awk '/^ +[0-9]+  .* \[[0-9]+\]$/ { s += $1 } END { print s + 0 }' "$1"; }
n1=$(sum "$TMP/merged/cp-1.folded" 2>/dev/null) n2=$(sum "$TMP/merged/cp-2.folded" 2>/dev/null)
[ $rc = 0 ] && [ "$n1" = "$(pod_total "$TMP/cp-1.log")" ] &&
	[ "$n2" = "$(pod_total "$TMP/cp-2.log")" ] && [ "$n1" -gt 0 ] &&
	cmp -s "$TMP/merged/cp-1.folded" "$TMP/cp-1/bpflame-cp-1-x1.folded"
[ $? -eq 0 ] && tap_ok "--from-logs: each node's stacks from its log ($n1, $n2 samples), equal to the node's .folded" ||
	{ tap_not_ok "--from-logs: each node's stacks from its log"; tap_diag <"$TMP/merge.out"; }
m=$(sum "$TMP/merged/control-plane.folded" 2>/dev/null)
[ "$m" = $((n1 + n2)) ] && tail -c 8 "$TMP/merged/control-plane.svg" | grep -q '</svg>'
[ $? -eq 0 ] && tap_ok "merged: control-plane.folded holds $m = $n1 + $n2 samples, control-plane.svg" ||
	{ tap_not_ok "merged: $m samples, expected $((n1 + n2))"; tap_diag <"$TMP/merge.out"; }
grep -q '>cp-1 ' "$TMP/merged/control-plane-by-node.svg" &&
	grep -q '>cp-2 ' "$TMP/merged/control-plane-by-node.svg"
[ $? -eq 0 ] && tap_ok "control-plane-by-node.svg: one root per node" ||
	tap_not_ok "control-plane-by-node.svg: one root per node"
apiserver_load_wait "$TMP/api" 2>/dev/null
exit $TAP_FAILED
