# tests/lib/apiserver.sh: a real kube-apiserver for tests and the demo (source it).
#
# Runs the kube-apiserver built by tools/apiserver/build.sh (Debian's
# kubernetes 1.20.2 source) with Debian's etcd, both on 127.0.0.1 only, with
# token authentication, RBAC and an audit log, and loads it with bounded
# request loops (curl) as a user outside system:masters: system:masters skips
# RBAC, so only such a user makes the apiserver do authorization work. That
# user's access comes from one RoleBinding among APISERVER_BINDINGS (300)
# others, in the namespace the load uses (RBAC walks them per request).
#
#   apiserver_bin            path of kube-apiserver (built if absent, cached in
#                            build/apiserver/); $APISERVER_BIN if set. Status 3:
#                            the kubernetes source cannot be fetched (skip), 2: a
#                            build dependency is missing, 1: the build failed
#   apiserver_start DIR      etcd + kube-apiserver with state under DIR (which
#                            must exist and stay until apiserver_stop); returns
#                            once /readyz is ok and the RBAC objects exist.
#                            Writes DIR/admin.kubeconfig (system:masters) and
#                            DIR/user.kubeconfig (the load user); exports
#                            APISERVER_PID ETCD_PID APISERVER_URL APISERVER_CA
#                            APISERVER_ADMIN_TOKEN APISERVER_USER_TOKEN
#                            APISERVER_USER APISERVER_NAMESPACE
#   apiserver_load DIR SECS  starts the load in the background: it stops by
#                            itself after SECS seconds (or its request cap);
#                            each request's HTTP status goes to DIR/load/*.codes
#   apiserver_load_wait [DIR]  waits for the load to end
#   apiserver_load_stop DIR  ends the load now
#   apiserver_stop DIR       stops the load, kube-apiserver and etcd (for the
#                            caller's EXIT trap; safe to call twice or before
#                            anything started). DIR itself is the caller's.
#   apiserver_codes DIR      "CODE COUNT" lines of the load's HTTP statuses
#
# Knobs: APISERVER_WORKERS (3) write loops (create, update, get, list,
# delete), APISERVER_READERS (2) parallel read loops, APISERVER_WATCHERS (2)
# watch loops, APISERVER_BINDINGS (300), APISERVER_START_TIMEOUT (300 s: the first
# start bootstraps RBAC and priority levels, slow on a loaded machine).
# Logs: DIR/etcd.log, DIR/apiserver.log. Needs curl, openssl, python3, etcd.

APISERVER_LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
APISERVER_NAMESPACE=bpflame-load
APISERVER_USER=bpflame-load-user
APISERVER_LOAD_PIDS=()

apiserver_bin() {
	if [ -n "${APISERVER_BIN:-}" ]; then
		if [ -x "$APISERVER_BIN" ]; then
			echo "$APISERVER_BIN"
			return 0
		fi
		echo "apiserver.sh: APISERVER_BIN=$APISERVER_BIN is not an executable" >&2
		return 2
	fi
	"$APISERVER_LIB_ROOT/tools/apiserver/build.sh" --print
}

# A free TCP port on 127.0.0.1 (the kernel's choice; retried by the caller
# if another process takes it before we bind it).
apiserver_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _apiserver_until SECONDS CMD...: runs CMD every 0.1 s. CMD's status 0 means
# done (0), 1 not yet, any other ends the wait with that status; 124 once
# SECONDS of wall time passed. The one wait loop of this file (it is sourced
# by the demo as well as by tests, so tap.sh's wait_for is not at hand).
_apiserver_until() {
	local limit=$(($1 * 10)) i rc
	shift
	for ((i = 0; i < limit; i++)); do
		rc=0
		"$@" || rc=$?
		[ "$rc" = 1 ] || return "$rc"
		sleep 0.1
	done
	return 124
}

_apiserver_alive() { kill -0 "$1" 2>/dev/null; }
_apiserver_gone() { ! _apiserver_alive "$1"; }

# _apiserver_wait_dead PID SECONDS: waits for PID to exit (not our child
# necessarily: polls), SIGKILL after SECONDS.
_apiserver_wait_dead() {
	_apiserver_until "$2" _apiserver_gone "$1" && return 0
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

_apiserver_kill() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	if kill -TERM "$pid" 2>/dev/null; then
		_apiserver_wait_dead "$pid" "${2:-30}"
		wait "$pid" 2>/dev/null
	fi
	rm -f "$1"
}

# _apiserver_curl ARGS...: curl as the admin (token), against the serving CA.
_apiserver_curl() {
	curl -sS --cacert "$APISERVER_CA" -H "Authorization: Bearer $APISERVER_ADMIN_TOKEN" "$@"
}

_apiserver_kubeconfig() { # FILE USER TOKEN
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: bpflame
  cluster:
    server: $APISERVER_URL
    certificate-authority: $APISERVER_CA
users:
- name: $2
  user:
    token: $3
contexts:
- name: bpflame
  context:
    cluster: bpflame
    user: $2
    namespace: $APISERVER_NAMESPACE
current-context: bpflame
EOF
	chmod 600 "$1"
}

# _apiserver_etcd DIR: starts etcd on free ports; 0 once it is healthy.
_apiserver_etcd() {
	local dir=$1 cport pport
	cport=$(apiserver_free_port) && pport=$(apiserver_free_port) || return 1
	etcd --name bpflame --data-dir "$dir/etcd" \
		--listen-client-urls "http://127.0.0.1:$cport" \
		--advertise-client-urls "http://127.0.0.1:$cport" \
		--listen-peer-urls "http://127.0.0.1:$pport" \
		--initial-advertise-peer-urls "http://127.0.0.1:$pport" \
		--initial-cluster "bpflame=http://127.0.0.1:$pport" \
		--quota-backend-bytes $((512 * 1024 * 1024)) \
		>"$dir/etcd.log" 2>&1 &
	ETCD_PID=$!
	echo "$ETCD_PID" >"$dir/etcd.pid"
	ETCD_URL=http://127.0.0.1:$cport
	_apiserver_until 60 _apiserver_etcd_healthy && return 0
	if _apiserver_gone "$ETCD_PID"; then
		wait "$ETCD_PID" 2>/dev/null
		rm -f "$dir/etcd.pid"
	fi
	return 1
}

# 0 healthy, 1 not yet, 2 etcd died.
_apiserver_etcd_healthy() {
	local health
	_apiserver_alive "$ETCD_PID" || return 2
	health=$(curl -fsS "$ETCD_URL/health" 2>/dev/null) || return 1
	[[ $health == *'"health":"true"'* ]]
}

# _apiserver_run DIR BIN: starts kube-apiserver on a free port; 0 once
# /readyz says ok, 1 if it died (port taken?), 2 on timeout.
_apiserver_run() {
	local dir=$1 bin=$2 port timeout=${APISERVER_START_TIMEOUT:-300}
	port=$(apiserver_free_port) || return 1
	"$bin" --etcd-servers="$ETCD_URL" \
		--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
		--insecure-port=0 --cert-dir="$dir/certs" \
		--token-auth-file="$dir/tokens.csv" --authorization-mode=Node,RBAC \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$dir/sa.pub" \
		--service-account-signing-key-file="$dir/sa.key" \
		--service-cluster-ip-range=10.96.0.0/24 \
		--audit-policy-file="$dir/audit-policy.yaml" --audit-log-path="$dir/audit.log" \
		--audit-log-maxsize=20 --audit-log-maxbackup=1 \
		--profiling=true --logtostderr=true --v=1 \
		>"$dir/apiserver.log" 2>&1 &
	APISERVER_PID=$!
	echo "$APISERVER_PID" >"$dir/apiserver.pid"
	APISERVER_URL=https://127.0.0.1:$port
	APISERVER_CA=$dir/certs/apiserver.crt
	local rc=0
	_apiserver_until "$timeout" _apiserver_ready || rc=$?
	case $rc in
	0) return 0 ;;
	124) return 2 ;;
	esac
	wait "$APISERVER_PID" 2>/dev/null
	rm -f "$dir/apiserver.pid"
	return 1
}

# 0 when /readyz says ok, 1 not yet, 2 kube-apiserver died.
_apiserver_ready() {
	_apiserver_alive "$APISERVER_PID" || return 2
	[ -s "$APISERVER_CA" ] &&
		[ "$(_apiserver_curl --max-time 5 "$APISERVER_URL/readyz" 2>/dev/null)" = ok ]
}

# _apiserver_rbac DIR: the load namespace, a Role for configmaps and secrets,
# APISERVER_BINDINGS RoleBindings for other users and one for ours (in the
# middle), 10 configmaps and 10 secrets for the readers. One curl process
# creates them all over one connection.
_apiserver_rbac() {
	local dir=$1 n=${APISERVER_BINDINGS:-300} ns=$APISERVER_NAMESPACE
	python3 - "$dir/rbac.curl" "$APISERVER_URL" "$APISERVER_CA" "$APISERVER_ADMIN_TOKEN" \
		"$ns" "$APISERVER_USER" "$n" <<'EOF'
import json, sys
out, url, ca, token, ns, user, n = sys.argv[1:8]
n = int(n)
FIXED = 10
rbac = f"{url}/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}"
objs = [(f"{url}/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                       "metadata": {"name": ns}}),
        (f"{rbac}/roles", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "bpflame-load", "namespace": ns},
            "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"],
                       "verbs": ["get", "list", "watch", "create", "update", "patch",
                                 "delete"]}]})]
for i in range(n + 1):
    subject = user if i == n // 2 else f"other-user-{i}"
    name = "bpflame-load-user" if i == n // 2 else f"other-{i}"
    objs.append((f"{rbac}/rolebindings", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": ns},
        "subjects": [{"kind": "User", "name": subject,
                      "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "Role", "name": "bpflame-load",
                    "apiGroup": "rbac.authorization.k8s.io"}}))
# Objects the readers get (they never change or go away).
for i in range(FIXED):
    for kind, plural, body in (("ConfigMap", "configmaps", {"data": {"a": "x" * 2048}}),
                               ("Secret", "secrets", {"stringData": {"a": "x" * 2048}})):
        objs.append((f"{url}/api/v1/namespaces/{ns}/{plural}", {
            "apiVersion": "v1", "kind": kind,
            "metadata": {"name": f"fixed-{i}", "labels": {"fixed": "yes"}}, **body}))
with open(out, "w") as f:
    for i, (u, o) in enumerate(objs):
        if i:
            f.write("next\n")
        f.write(f'url = "{u}"\ncacert = "{ca}"\nrequest = "POST"\n'
                f'header = "Authorization: Bearer {token}"\n'
                'header = "Content-Type: application/json"\n'
                f"data = {json.dumps(json.dumps(o))}\n"
                'output = "/dev/null"\nsilent\nwrite-out = "%{http_code}\\n"\n')
EOF
	[ $? -eq 0 ] || return 1
	curl -K "$dir/rbac.curl" >"$dir/rbac.codes" 2>"$dir/rbac.err" || true
	local created
	created=$(grep -c '^201$' "$dir/rbac.codes")
	if [ "$created" -ne $((n + 23)) ]; then
		echo "apiserver.sh: created $created of $((n + 23)) objects (statuses:" \
			"$(sort "$dir/rbac.codes" | uniq -c | tr -s ' \n' ' '))" >&2
		return 1
	fi
	# RBAC authorizes from informer caches: wait until our binding works.
	_apiserver_until 60 _apiserver_user_can_list "$ns" && return 0
	echo "apiserver.sh: the load user cannot list configmaps after 60 s" >&2
	return 1
}

_apiserver_user_can_list() {
	[ "$(curl -sS --cacert "$APISERVER_CA" -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $APISERVER_USER_TOKEN" \
		"$APISERVER_URL/api/v1/namespaces/$1/configmaps")" = 200 ]
}

apiserver_start() {
	local dir=$1 bin attempt rc
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "apiserver.sh: apiserver_start DIR: no directory '$dir'" >&2
		return 2
	fi
	dir=$(cd "$dir" && pwd)
	bin=$(apiserver_bin) || return
	openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null &&
		openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null || {
		echo "apiserver.sh: openssl cannot make the service account keys" >&2
		return 1
	}
	APISERVER_ADMIN_TOKEN=$(openssl rand -hex 24)
	APISERVER_USER_TOKEN=$(openssl rand -hex 24)
	{
		echo "$APISERVER_ADMIN_TOKEN,bpflame-admin,uid-admin,\"system:masters\""
		echo "$APISERVER_USER_TOKEN,$APISERVER_USER,uid-load,\"bpflame-developers\""
	} >"$dir/tokens.csv"
	chmod 600 "$dir/tokens.csv" "$dir/sa.key"
	# Request metadata for everything but the noisy reads of the control
	# plane itself: the audit path runs for every request, as in clusters.
	cat >"$dir/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  users: ["system:apiserver"]
- level: Metadata
EOF
	# Ports are picked free, then bound by etcd and kube-apiserver: another
	# process may take one in between, hence the retries.
	for attempt in 1 2 3; do
		rm -rf "$dir/etcd"
		if _apiserver_etcd "$dir"; then
			break
		fi
		_apiserver_kill "$dir/etcd.pid" 10
		if [ "$attempt" = 3 ]; then
			echo "apiserver.sh: etcd did not start; the end of $dir/etcd.log:" >&2
			tail -n 5 "$dir/etcd.log" >&2
			return 1
		fi
	done
	export ETCD_PID ETCD_URL
	for attempt in 1 2 3; do
		rc=0
		_apiserver_run "$dir" "$bin" || rc=$?
		[ "$rc" = 0 ] && break
		_apiserver_kill "$dir/apiserver.pid" 30
		if [ "$rc" = 2 ] || [ "$attempt" = 3 ]; then
			echo "apiserver.sh: kube-apiserver not ready (rc $rc); the end of" \
				"$dir/apiserver.log:" >&2
			tail -n 10 "$dir/apiserver.log" >&2
			return 1
		fi
	done
	export APISERVER_PID APISERVER_URL APISERVER_CA APISERVER_ADMIN_TOKEN \
		APISERVER_USER_TOKEN APISERVER_USER APISERVER_NAMESPACE
	_apiserver_kubeconfig "$dir/admin.kubeconfig" bpflame-admin "$APISERVER_ADMIN_TOKEN"
	_apiserver_kubeconfig "$dir/user.kubeconfig" "$APISERVER_USER" "$APISERVER_USER_TOKEN"
	_apiserver_rbac "$dir"
}

# _apiserver_worker DIR ID DEADLINE MAX: request loops in batches (one curl
# process, one connection per batch); stops at DEADLINE (epoch seconds) or
# after MAX requests.
_apiserver_worker() {
	local dir=$1 id=$2 deadline=$3 max=$4 sent=0 batch=0 cfg n
	cfg=$dir/load/worker-$id.curl
	while [ "$(date +%s)" -lt "$deadline" ] && [ "$sent" -lt "$max" ]; do
		n=$(python3 - "$cfg" "$APISERVER_URL" "$APISERVER_CA" "$APISERVER_USER_TOKEN" \
			"$APISERVER_NAMESPACE" "$id" "$batch" <<'EOF'
import json, sys
out, url, ca, token, ns, wid, batch = sys.argv[1:8]
api = f"{url}/api/v1/namespaces/{ns}"
value = "x" * 512
reqs = []
for k in range(10):
    name = f"load-{wid}-{k}"
    for kind, plural, body in (
            ("ConfigMap", "configmaps", {"data": {"a": value, "b": batch}}),
            ("Secret", "secrets", {"stringData": {"a": value, "b": batch}})):
        obj = {"apiVersion": "v1", "kind": kind,
               "metadata": {"name": name, "labels": {"worker": wid}}, **body}
        reqs += [("POST", f"{api}/{plural}", obj, None),
                 ("PUT", f"{api}/{plural}/{name}", obj, None),
                 ("GET", f"{api}/{plural}/{name}", None, None),
                 ("GET", f"{api}/{plural}?labelSelector=worker%3D{wid}", None,
                  "application/vnd.kubernetes.protobuf" if k % 2 else None)]
    if k % 5 == 4:
        reqs.append(("DELETE", f"{api}/configmaps/{name}", None, None))
with open(out, "w") as f:
    for i, (method, u, obj, accept) in enumerate(reqs):
        if i:
            f.write("next\n")
        f.write(f'url = "{u}"\ncacert = "{ca}"\nrequest = "{method}"\n'
                f'header = "Authorization: Bearer {token}"\n'
                'output = "/dev/null"\nsilent\nwrite-out = "%{http_code}\\n"\n')
        if accept:
            f.write(f'header = "Accept: {accept}"\n')
        if obj is not None:
            f.write('header = "Content-Type: application/json"\n'
                    f"data = {json.dumps(json.dumps(obj))}\n")
print(len(reqs))
EOF
		) || return 1
		curl --max-time 60 -K "$cfg" >>"$dir/load/worker-$id.codes" 2>/dev/null
		sent=$((sent + n))
		batch=$((batch + 1))
	done
}

# _apiserver_reader DIR ID DEADLINE MAX: reads of the fixed objects and lists
# (JSON and protobuf), 8 at a time over one HTTP/2 connection (curl -Z), in
# batches until DEADLINE or MAX requests. Reads are served from the watch
# cache, so this is what keeps the apiserver's CPU busy without waiting on
# etcd's disk.
_apiserver_reader() {
	local dir=$1 id=$2 deadline=$3 max=$4 sent=0 cfg n
	cfg=$dir/load/reader-$id.curl
	n=$(python3 - "$cfg" "$APISERVER_URL" "$APISERVER_CA" "$APISERVER_USER_TOKEN" \
		"$APISERVER_NAMESPACE" <<'EOF'
import sys
out, url, ca, token, ns = sys.argv[1:6]
api = f"{url}/api/v1/namespaces/{ns}"
pb = "application/vnd.kubernetes.protobuf"
reqs = []
for i in range(10):
    reqs += [(f"{api}/configmaps/fixed-{i}", None), (f"{api}/secrets/fixed-{i}", pb),
             (f"{api}/configmaps?labelSelector=fixed%3Dyes", pb if i % 2 else None),
             (f"{api}/secrets?labelSelector=fixed%3Dyes", None if i % 2 else pb)]
with open(out, "w") as f:
    for i, (u, accept) in enumerate(reqs):
        if i:
            f.write("next\n")
        f.write(f'url = "{u}"\ncacert = "{ca}"\n'
                f'header = "Authorization: Bearer {token}"\n'
                'output = "/dev/null"\nsilent\nwrite-out = "%{http_code}\\n"\n')
        if accept:
            f.write(f'header = "Accept: {accept}"\n')
print(len(reqs))
EOF
	) || return 1
	while [ "$(date +%s)" -lt "$deadline" ] && [ "$sent" -lt "$max" ]; do
		curl --max-time 60 -Z --parallel-max 8 -K "$cfg" \
			>>"$dir/load/reader-$id.codes" 2>/dev/null
		sent=$((sent + n))
	done
}

# _apiserver_watcher DIR ID DEADLINE: watches of the namespace's configmaps,
# each ending by itself within 10 s, until DEADLINE.
_apiserver_watcher() {
	local dir=$1 id=$2 deadline=$3 left
	while left=$((deadline - $(date +%s))) && [ "$left" -gt 0 ]; do
		[ "$left" -gt 10 ] && left=10
		curl -sS --cacert "$APISERVER_CA" -H "Authorization: Bearer $APISERVER_USER_TOKEN" \
			--max-time $((left + 5)) -o /dev/null -w '%{http_code}\n' \
			"$APISERVER_URL/api/v1/namespaces/$APISERVER_NAMESPACE/configmaps?watch=1&timeoutSeconds=$left" \
			>>"$dir/load/watch-$id.codes" 2>/dev/null
	done
}

apiserver_load() {
	local dir=$1 secs=$2 deadline w
	if [ -z "${APISERVER_URL:-}" ] || [ -z "$secs" ]; then
		echo "apiserver.sh: apiserver_load DIR SECONDS after apiserver_start" >&2
		return 2
	fi
	mkdir -p "$dir/load"
	deadline=$(($(date +%s) + secs))
	for ((w = 0; w < ${APISERVER_WATCHERS:-2}; w++)); do
		_apiserver_watcher "$dir" "$w" "$deadline" &
		APISERVER_LOAD_PIDS+=($!)
		echo "$!" >>"$dir/load/pids"
	done
	for ((w = 0; w < ${APISERVER_READERS:-2}; w++)); do
		_apiserver_reader "$dir" "$w" "$deadline" $((secs * 5000)) &
		APISERVER_LOAD_PIDS+=($!)
		echo "$!" >>"$dir/load/pids"
	done
	for ((w = 0; w < ${APISERVER_WORKERS:-3}; w++)); do
		# The cap: 2000 requests a second per worker, far above what the
		# loop reaches; it bounds the load if the clock misbehaves.
		_apiserver_worker "$dir" "$w" "$deadline" $((secs * 2000)) &
		APISERVER_LOAD_PIDS+=($!)
		echo "$!" >>"$dir/load/pids"
	done
}

apiserver_load_wait() {
	local p
	for p in "${APISERVER_LOAD_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	APISERVER_LOAD_PIDS=()
	[ -n "${1:-}" ] && rm -f "$1/load/pids"
	return 0
}

apiserver_codes() {
	cat "$1"/load/*.codes 2>/dev/null | sort | uniq -c | awk '{ print $2, $1 }'
}

apiserver_load_stop() {
	local dir=$1 p
	if [ -f "$dir/load/pids" ]; then
		while read -r p; do
			# The loop's curl first (its parent is the loop), then the loop.
			pkill -TERM -P "$p" 2>/dev/null
			kill -TERM "$p" 2>/dev/null
		done <"$dir/load/pids"
		while read -r p; do
			_apiserver_wait_dead "$p" 10
			wait "$p" 2>/dev/null
		done <"$dir/load/pids"
		rm -f "$dir/load/pids"
	fi
	APISERVER_LOAD_PIDS=()
	return 0
}

apiserver_stop() {
	local dir=$1
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	apiserver_load_stop "$dir"
	_apiserver_kill "$dir/apiserver.pid" 30
	_apiserver_kill "$dir/etcd.pid" 30
	return 0
}
