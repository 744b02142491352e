#!/bin/sh
# Tests for lib/semver.sh. Run from anywhere: sh tests/test_semver.sh
cd "$(dirname "$0")/.." || exit 1
. lib/semver.sh

total=0 failed=0
# check NAME WANT GOT
check() {
	total=$((total + 1))
	if [ "$2" = "$3" ]; then
		echo "ok    $1"
	else
		echo "FAIL  $1: want $2, got $3"
		failed=$((failed + 1))
	fi
}

check "patch bump"                   1.2.4 "$(bump 1.2.3 patch)"
check "minor bump resets patch"      1.3.0 "$(bump 1.2.3 minor)"
check "major bump resets the rest"   2.0.0 "$(bump 1.2.3 major)"
check "minor bump from 0.0.7"        0.1.0 "$(bump 0.0.7 minor)"
check "unknown part is refused"      ""    "$(bump 1.2.3 micro 2>/dev/null)"
check "valid accepts 1.2.3"          yes   "$(valid 1.2.3 && echo yes || echo no)"
check "valid refuses 1.2"            no    "$(valid 1.2 && echo yes || echo no)"
check "valid refuses v1.2.3"         no    "$(valid v1.2.3 && echo yes || echo no)"

echo "$((total - failed))/$total passed"
[ "$failed" -eq 0 ]
