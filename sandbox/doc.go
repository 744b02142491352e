// Package sandbox will confine every command warden runs with Landlock (see
// issue 3). Nothing runs sandboxed yet: until it lands, warden offers the
// model no tool that runs commands, so there is nothing to confine.
package sandbox
