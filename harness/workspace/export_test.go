package workspace

// MaxNestedRepos is maxNestedRepos, for the tests of package
// workspace_test.
const MaxNestedRepos = maxNestedRepos

// AsUnprivileged is asUnprivileged, for the tests of package
// workspace_test.
var AsUnprivileged = asUnprivileged

// MaxLeftOutRepos is maxLeftOutRepos.
const MaxLeftOutRepos = maxLeftOutRepos
