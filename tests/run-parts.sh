#!/bin/bash
# run-parts.sh MAKE PART...: runs `MAKE test-PART` for each PART in turn
# (a failing part does not stop the later ones), then prints one line per
# part: its result and the wall time it took, and the total. Exits 1 when
# any part failed. `make test` calls it with every part.
set -u
make=${1:?usage: run-parts.sh MAKE PART...}
shift
results=()
failed=0
t0=$(date +%s)
for part in "$@"; do
	start=$(date +%s)
	if "$make" --no-print-directory "test-$part"; then
		res=ok
	else
		res=FAILED
		failed=1
	fi
	results+=("$(printf '%-12s %-7s %5d s' "$part" "$res" $(($(date +%s) - start)))")
done
echo
echo "== test parts (wall time; this machine's load moves it) =="
printf '%s\n' "${results[@]}"
printf '%-12s %-7s %5d s\n' total "$([ $failed = 0 ] && echo ok || echo FAILED)" \
	$(($(date +%s) - t0))
exit $failed
