# tools/kernels/apt.sh: a private apt for one architecture (source it).
#
#   kapt_init ARCH   sets KAPT (the apt options: sources list, lists, status
#                    and archives under build/kernels/apt-ARCH/, signed by the
#                    Debian archive keyring, against the mirror the system's
#                    apt already uses, for bullseye, bookworm and
#                    bookworm-backports) and updates its lists at most once an
#                    hour. Returns 1 with one line on stderr when the mirror
#                    is unreachable.
#
# Nothing touches the host's apt state: the lists, the (empty) dpkg status
# and the downloads are private, so packages of any architecture can be
# downloaded and unpacked without dpkg --add-architecture.

KAPT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KAPT=()

kapt_init() {
	local arch=$1 dir=$KAPT_ROOT/build/kernels/apt-$1 mirror s
	local key=/usr/share/keyrings/debian-archive-keyring.gpg
	mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 ~ /^[a-z]+(-updates|-backports)?$/ && $1 !~ /security/ { print $1; exit }')
	if [ -z "$mirror" ]; then
		echo "apt.sh: no Debian mirror in the apt configuration" >&2
		return 1
	fi
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	for s in bullseye bookworm bookworm-backports; do
		echo "deb [arch=$arch signed-by=$key] $mirror $s main"
	done >"$dir/sources.list"
	: >"$dir/status"
	KAPT=(-q -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$dir/lists" -o Dir::State::status="$dir/status"
		-o Dir::Cache="$dir" -o Dir::Cache::Archives="$dir/archives"
		-o APT::Architecture="$arch" -o APT::Architectures::="$arch"
		-o Acquire::Languages=none -o APT::Get::List-Cleanup=0)
	# See tests/lib/go.sh debian_fetch: naming gpgv keeps the signature
	# check working where apt's method PATH misses it.
	if command -v gpgv >/dev/null; then
		KAPT+=(-o APT::Key::gpgvcommand="$(command -v gpgv)")
	fi
	[ -n "$(find "$dir/lists/.updated" -mmin -60 2>/dev/null)" ] && return 0
	if ! apt-get "${KAPT[@]}" update >"$dir/update.log" 2>&1; then
		echo "apt.sh: apt-get update ($arch) failed: $(tail -1 "$dir/update.log")" >&2
		return 1
	fi
	touch "$dir/lists/.updated"
}

# kapt_download DIR PKG/SUITE...: downloads the .debs into DIR.
kapt_download() {
	local dir=$1
	shift
	if ! (cd "$dir" && apt-get "${KAPT[@]}" download "$@") >"$dir/download.log" 2>&1; then
		echo "apt.sh: apt-get download $* failed: $(tail -1 "$dir/download.log")" >&2
		return 1
	fi
}
