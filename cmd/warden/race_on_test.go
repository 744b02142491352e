//go:build race

package main

// raceEnabled: the tests run under the race detector, which slows the
// binary several times over.
const raceEnabled = true
