#!/usr/bin/env python3
"""pod_run.py: the podman run arguments that run a Job's pod the way a
kubelet would, for the image tests.

  pod_run.py JOB.json POD_NAME [--map HOSTPATH=DIR]...

JOB.json is a Job as the API server returns it (kubectl create
--dry-run=server -o json: defaults applied). Prints one podman run argument
per line: name, host PID namespace, privileges, read-only root, memory
limit, hostPath volumes (--map moves a host path elsewhere, e.g. the results
directory into the test's temporary directory), working directory, env,
image, then the container's command and args with $(VAR) expanded as the
kubelet expands them. Any pod or container field this translation does not
implement is an error (exit 2), so a manifest cannot pass the test with a
setting that was silently dropped; scheduling fields (nodeSelector,
tolerations) and the API server's defaults are accepted and ignored.
"""
import json
import re
import sys

POD_IGNORED = {
    "nodeSelector", "tolerations", "dnsPolicy", "schedulerName",
    "terminationGracePeriodSeconds", "securityContext", "enableServiceLinks",
    "preemptionPolicy", "priority",
}
POD_HANDLED = {"restartPolicy", "hostPID", "automountServiceAccountToken",
               "containers", "volumes"}
CONTAINER_IGNORED = {"terminationMessagePath", "terminationMessagePolicy",
                     "imagePullPolicy", "name"}
CONTAINER_HANDLED = {"image", "env", "args", "command", "workingDir",
                     "securityContext", "resources", "volumeMounts"}


def fail(msg):
    sys.exit("pod_run.py: " + msg)


def check_keys(obj, handled, ignored, what):
    for k in obj:
        if k not in handled and k not in ignored:
            fail(f"{what}.{k} is not implemented")


def expand(text, env):
    """$(VAR) -> env[VAR] when defined, $$ -> $, as the kubelet does."""
    def repl(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env[name] if name in env else m.group(0)
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, text)


def memory(q):
    m = re.fullmatch(r"(\d+)(Ki|Mi|Gi)?", q)
    if not m:
        fail(f"memory quantity {q} is not implemented")
    return int(m.group(1)) * {None: 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}[m.group(2)]


def main():
    if len(sys.argv) < 3:
        fail("usage: pod_run.py JOB.json POD_NAME [--map HOSTPATH=DIR]...")
    job = json.load(open(sys.argv[1]))
    pod_name = sys.argv[2]
    maps = {}
    rest = sys.argv[3:]
    while rest:
        if rest[0] != "--map" or len(rest) < 2 or "=" not in rest[1]:
            fail(f"bad argument {rest[0]}")
        src, dst = rest[1].split("=", 1)
        maps[src] = dst
        rest = rest[2:]

    spec = job["spec"]["template"]["spec"]
    check_keys(spec, POD_HANDLED, POD_IGNORED, "spec")
    if spec.get("securityContext"):
        fail("spec.securityContext is not implemented")
    if spec.get("restartPolicy") != "Never":
        fail("a Job's pod here must have restartPolicy: Never")
    if len(spec["containers"]) != 1:
        fail("exactly one container is implemented")
    c = spec["containers"][0]
    check_keys(c, CONTAINER_HANDLED, CONTAINER_IGNORED, "container")
    out = ["--name", pod_name]
    if spec.get("hostPID"):
        out.append("--pid=host")
    sc = c.get("securityContext", {})
    for k in sc:
        if k not in ("privileged", "readOnlyRootFilesystem"):
            fail(f"securityContext.{k} is not implemented")
    if sc.get("privileged"):
        out.append("--privileged")
    if sc.get("readOnlyRootFilesystem"):
        # As in a pod: nothing writable but the volumes.
        out += ["--read-only", "--read-only-tmpfs=false"]
    limits = c.get("resources", {}).get("limits", {})
    for k, v in limits.items():
        if k != "memory":
            fail(f"resources.limits.{k} is not implemented")
        out += ["--memory", str(memory(v))]

    volumes = {}
    for v in spec.get("volumes", []):
        if set(v) != {"name", "hostPath"}:
            fail(f"volume {v['name']}: only hostPath volumes are implemented")
        volumes[v["name"]] = v["hostPath"]
    for m in c.get("volumeMounts", []):
        for k in m:
            if k not in ("name", "mountPath", "readOnly"):
                fail(f"volumeMounts.{k} is not implemented")
        hp = volumes[m["name"]]
        path = maps.get(hp["path"], hp["path"])
        if hp.get("type") not in ("Directory", "DirectoryOrCreate"):
            fail(f"hostPath type {hp.get('type')} is not implemented")
        opts = ":ro" if m.get("readOnly") else ""
        out += ["-v", f"{path}:{m['mountPath']}{opts}"]

    env = {}
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = expand(e["value"], env)
            continue
        ref = e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        if ref != "metadata.name":
            fail(f"env {e['name']}: only value and fieldRef metadata.name are implemented")
        env[e["name"]] = pod_name
    for k, v in env.items():
        out += ["-e", f"{k}={v}"]
    if "workingDir" in c:
        out += ["-w", c["workingDir"]]
    if "command" in c:
        out += ["--entrypoint", json.dumps([expand(a, env) for a in c["command"]])]
    out.append(c["image"])
    out += [expand(a, env) for a in c.get("args", [])]
    for a in out:
        if "\n" in a:
            fail("an argument holds a newline")
        print(a)


main()
