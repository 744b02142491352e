package workspace

// MaxNestedRepos is maxNestedRepos, for the tests of package
// workspace_test.
const MaxNestedRepos = maxNestedRepos
