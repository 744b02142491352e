# semver.sh: semantic version helpers, sourced by bin/bumpver and the tests.
# POSIX sh only: no arrays, no [[ ]].

# valid VERSION: succeed if VERSION is MAJOR.MINOR.PATCH, each a number.
valid() {
	case $1 in
	*[!0-9.]* | .* | *. | *..*) return 1 ;; # digits and inner dots only
	*.*.*.*) return 1 ;;                    # more than three parts
	*.*.*) return 0 ;;
	esac
	return 1
}

# bump VERSION PART: print VERSION with PART (major, minor or patch) raised
# by one and the parts after it reset to zero.
bump() {
	major=${1%%.*}
	minor=${1#*.}
	minor=${minor%%.*}
	patch=${1##*.}
	case $2 in
	major) major=$((major + 1)) minor=0 patch=0 ;;
	minor) minor=$((minor + 1)) ;;
	patch) patch=$((patch + 1)) ;;
	*)
		echo "bump: unknown part '$2' (want major, minor or patch)" >&2
		return 2
		;;
	esac
	echo "$major.$minor.$patch"
}
