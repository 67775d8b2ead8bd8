package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// ctxWriter fails its writes once ctx is done, so that a long report
// write stops at its next buffer when the user presses Ctrl-C.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// withContext runs f, a computation of the diagnostic package that does not
// take a context, and returns early with ctx's error when ctx is done
// first. The computation then runs on in the background until the process
// exits, which it is about to: it writes nothing.
func withContext[T any](ctx context.Context, f func() T) (T, error) {
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// checkName refuses a --name that is not UTF-8 text: it is written as is
// into the report.
func checkName(name string) error {
	if !utf8.ValidString(name) {
		return usageErr(fmt.Errorf("--name %s is not valid UTF-8 text (a Latin-1 terminal?)", echo(name)))
	}
	if len(name) > 4*maxItemLen {
		return usageErr(fmt.Errorf("--name %s is too long for a report title", echo(name)))
	}
	return nil
}

// checkOutDir refuses an output folder that names an existing file, before
// any work is done.
func checkOutDir(flag, dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return usageErr(fmt.Errorf("%s %s: %w", flag, dir, err))
	case !st.IsDir():
		return usageErr(fmt.Errorf("%s %s is a file, not a folder: give a folder for the reports", flag, dir))
	}
	return nil
}
