#!/usr/bin/env bash
# Run each libFuzzer target for a bounded time on a copy of its committed
# seed corpus (tests/fuzz/corpus/<target>), so new inputs never dirty the
# repository.  Crashes are kept in OUT/fuzz/crashes/.
#   scripts/run-fuzz.sh OUT SECONDS TARGET...
# Prints executions per target and closes with "fuzz: N passed, N failed".
set -u
OUT=$1
SECS=$2
shift 2
pass=0
fail=0
mkdir -p "$OUT/fuzz/crashes"
for t in "$@"; do
	work=$OUT/fuzz/corpus/$t
	mkdir -p "$work"
	cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
	log=$OUT/fuzz/$t.log
	"$OUT/fuzz/fuzz_$t" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/fuzz/crashes/$t-" \
		"$work" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "fuzz: $t: ${execs:-?} executions in ${SECS}s, no crash"
	else
		fail=$((fail + 1))
		echo "fuzz: $t: FAILED after ${execs:-?} executions (see $log)"
		grep -m5 -E 'ERROR|SUMMARY|Test unit written' "$log"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
