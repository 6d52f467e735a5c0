//go:build unix

package perf

import (
	"syscall"
	"time"
)

// cpuTime is the user and system CPU time this process has used so far, or −1 where it is unknown.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
