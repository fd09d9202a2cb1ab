#!/usr/bin/env bash
# Run cmocka unit test binaries, optionally under valgrind (leaks fatal), and
# close with one summary line: "unit: N passed, N failed".
set -u
vg=()
if [ "${1:-}" = "--valgrind" ]; then
	shift
	vg=(valgrind -q --error-exitcode=99 --leak-check=full
	    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible)
fi
pass=0 fail=0
for t in "$@"; do
	if "${vg[@]}" "$t"; then
		pass=$((pass + 1))
	else
		echo "FAILED: $t" >&2
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
