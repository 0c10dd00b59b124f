#!/usr/bin/env bash
# archive.sh IMAGE OUT: writes IMAGE (in podman's storage) as one tar file
# that every common loader reads: an OCI image layout (podman load, skopeo,
# `ctr import`, which names the image from io.containerd.image.name) that
# also carries Docker's manifest.json (docker load), the same two-in-one
# shape `docker save` writes since Docker 25. Entries are sorted with fixed
# owners and times, so one image always gives the same bytes.
# PODMAN (default podman) may carry options; SOURCE_DATE_EPOCH sets the times.
set -euo pipefail
image=$1 out=$2
podman=${PODMAN:-podman}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpflame-archive.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

$podman save -q --format oci-archive -o "$tmp/oci.tar" "$image"
mkdir "$tmp/layout"
tar -xf "$tmp/oci.tar" -C "$tmp/layout"
python3 - "$tmp/layout" "$image" <<'PY'
import json, os, sys
root, name = sys.argv[1], sys.argv[2]
def blob(digest):
    return os.path.join("blobs", *digest.split(":", 1))
with open(os.path.join(root, "index.json")) as f:
    index = json.load(f)
if len(index["manifests"]) != 1:
    sys.exit("archive.sh: expected one manifest in podman's archive")
desc = index["manifests"][0]
desc.setdefault("annotations", {})["io.containerd.image.name"] = name
with open(os.path.join(root, blob(desc["digest"]))) as f:
    manifest = json.load(f)
docker = [{
    "Config": blob(manifest["config"]["digest"]),
    "RepoTags": [name],
    "Layers": [blob(l["digest"]) for l in manifest["layers"]],
}]
for path, doc in (("index.json", index), ("manifest.json", docker)):
    with open(os.path.join(root, path), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
PY
tar -C "$tmp/layout" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@${SOURCE_DATE_EPOCH:-0}" -cf "$tmp/out.tar" oci-layout index.json manifest.json blobs
mv "$tmp/out.tar" "$out"
