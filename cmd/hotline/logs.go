package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/lmittmann/tint"
)

// Log formats of hotline serve --log-format.
const (
	logAuto = "auto" // text on a terminal, JSON otherwise
	logText = "text"
	logJSON = "json"
)

// parseLogLevel reads --log-level and HOTLINE_LOG_LEVEL: the four names the
// functions' HOTLINE_LOG_LEVEL takes, in any case.
func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("want debug, info, warn or error, not %q", s)
}

// textLogs tells whether logs are written for people: asked for, or auto
// and going to a terminal. Files, pipes and log collectors get JSON.
func textLogs(format string, terminal bool) bool {
	return format == logText || (format == logAuto && terminal)
}

// isTerminal tells whether w is a terminal (a character device; golang.org/x/term
// would ask the same of the tty driver, for one more module).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// logHandler makes every component's handler: tint's concise lines (time,
// level, message, attributes; coloured only on a terminal) or slog's JSON.
func logHandler(text, color bool) func(io.Writer, *slog.HandlerOptions) slog.Handler {
	if !text {
		return func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewJSONHandler(w, o) }
	}
	return func(w io.Writer, o *slog.HandlerOptions) slog.Handler {
		return tint.NewTextHandler(w, &tint.Options{Level: o.Level, ReplaceAttr: o.ReplaceAttr, TimeFormat: "15:04:05.000", NoColor: !color})
	}
}

// heldWriter keeps what is written until release, then passes writes
// through, one at a time: the banner comes before the logs of starting up,
// and the many handlers writing to it do not interleave within a line.
type heldWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held *bytes.Buffer // nil once released
}

func newHeldWriter(w io.Writer) *heldWriter { return &heldWriter{w: w, held: &bytes.Buffer{}} }

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held != nil {
		return h.held.Write(p)
	}
	return h.w.Write(p)
}

// release writes what was held and lets later writes through.
func (h *heldWriter) release() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held == nil {
		return nil
	}
	_, err := h.w.Write(h.held.Bytes())
	h.held = nil
	return err
}
