//go:build unix

package main

import (
	"errors"
	"syscall"
)

// processAlive tells whether a process of that id exists (EPERM: it does,
// under another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
