package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// staleAfter is the age past which a temporary file is stale whatever
// its process: a live write keeps its file's time current.
const staleAfter = 10 * time.Minute

// tempPattern is the os.CreateTemp pattern of the temporary file of target:
// ".diagnostic.html.PID-RANDOM.tmp", hidden, and carrying the id of the
// process that writes it so that a later run can tell a killed run's file.
func tempPattern(target string) string {
	return fmt.Sprintf(".%s.%d-*.tmp", filepath.Base(target), os.Getpid())
}

// tempTargets are the files whose temporary files cleanStaleTemps removes:
// only ours, never a file the user put in the folder.
var tempTargets = func() map[string]bool {
	m := map[string]bool{stampFile: true, "index.html": true, "index.xlsx": true, "index.csv": true}
	for _, d := range diagnoseFormats {
		m[d.file] = true
	}
	return m
}()

// cleanStaleTemps removes from dir the temporary files that runs killed
// while writing left behind (kill -9, a power cut): those whose process is
// gone, or older than staleAfter. Files of a run still writing in the same
// folder are kept. Errors are ignored: cleaning is a courtesy.
func cleanStaleTemps(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range ents {
		target, pid, ok := parseTempName(e.Name())
		if !ok || !tempTargets[target] || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if now.Sub(info.ModTime()) > staleAfter || (pid > 0 && pid != os.Getpid() && !processAlive(pid)) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// parseTempName reads ".TARGET.PID-RANDOM.tmp" (pid 0 for the older
// ".TARGET.RANDOM.tmp", which carries none).
func parseTempName(name string) (target string, pid int, ok bool) {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".tmp") {
		return "", 0, false
	}
	base := strings.TrimSuffix(name[1:], ".tmp")
	i := strings.LastIndexByte(base, '.')
	if i <= 0 {
		return "", 0, false
	}
	target, suffix := base[:i], base[i+1:]
	if p, _, found := strings.Cut(suffix, "-"); found {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return "", 0, false
		}
		pid = n
	} else if _, err := strconv.ParseUint(suffix, 10, 64); err != nil {
		return "", 0, false
	}
	return target, pid, true
}
