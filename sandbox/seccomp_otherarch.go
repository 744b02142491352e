//go:build linux && !amd64 && !arm64

package sandbox

func nativeSeccompArch() (seccompArch, bool) { return seccompArch{}, false }
