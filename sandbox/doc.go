// Package sandbox runs the commands warden's agent asks for, confined.
//
// A model can be wrong or prompt-injected, so what a command may change is
// decided here and by the user, never by the model. The harness process
// never restricts itself: Landlock confines a whole process for good, and the
// TUI must keep writing its own files. Instead every command goes through a
// small helper, warden's own binary re-executed under the name
// [HelperName], which starts in fresh user, mount, PID and (when the network
// is off) network namespaces and then, before it starts the command:
//
//   - remounts the whole filesystem read-only and mounts the writable roots
//     back read-write on top, with the protected paths inside them
//     (.git/config, .git/hooks, .warden) read-only again: a read-only mount
//     is the one thing that also stops changes to metadata (chmod, chown,
//     utimes, xattrs), which Landlock cannot restrict;
//   - hides every Unix socket that was listening when the command started
//     behind /dev/null, so a command cannot ask a process outside (a Docker
//     daemon, the user's systemd or D-Bus) to act for it;
//   - gives the command its own /proc and loopback-only network: it can
//     neither see nor signal processes outside, nor reach any address
//     outside, while a test suite can still talk to its own servers on
//     127.0.0.1;
//   - applies Landlock (read everywhere, write only in the writable roots;
//     IPC scoping), drops capabilities, and loads a seccomp filter that
//     refuses socket families other than Unix, IPv4, IPv6 and netlink,
//     io_uring, the kernel keyrings and terminal input injection;
//
// and stays as the command's init process: when the command exits, or the
// runner kills the helper on a timeout or an interrupt, the kernel kills
// every process left in the PID namespace, grandchildren and daemons
// included.
//
// [Runner] is the entry point for the harness and for `warden sandbox`;
// [RunProbe] reports what the kernel supports, and [Probe.Check] refuses a
// sandboxed mode the kernel cannot enforce instead of running unconfined.
package sandbox
