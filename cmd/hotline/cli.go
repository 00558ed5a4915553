package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Exit statuses, as Go's own tools and most Unix commands use them.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2 // the command line was wrong: nothing was done
)

// errHelp is returned after usage was printed on request (-h): success.
var errHelp = errors.New("help requested")

// errUsagePrinted is returned when a command was given no subcommand: its
// usage went to stderr, and there is nothing to add.
var errUsagePrinted = errors.New("usage printed")

// usageError is a wrong command line: an unknown command or flag, a missing
// or bad value. It is reported in one line with a hint where help is.
type usageError struct {
	msg  string
	help string // the command whose -h explains, e.g. "hotline serve"
}

func (e *usageError) Error() string { return fmt.Sprintf("%s (see %q)", e.msg, e.help+" -h") }

func usageErrorf(help, format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...), help: help}
}

// exitCode reports err on stderr, in one line, and returns the exit status.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errUsagePrinted):
		return exitUsage
	}
	fmt.Fprintln(stderr, "hotline:", err)
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

// flags is a command's flag set. Its errors are returned, not printed, so
// that a mistake is one line (and exit status 2), and -h prints the usage on
// stdout (exit status 0) rather than as an error.
type flags struct {
	*flag.FlagSet
	synopsis string // what follows "usage: hotline "
	about    string // a sentence or two on what the command does
}

func newFlags(name, synopsis, about string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, synopsis: synopsis, about: about}
}

// parse parses args; -h prints the usage to stdout and returns errHelp.
// Positional arguments are refused unless positional is true.
func (f *flags) parse(args []string, stdout io.Writer, positional bool) error {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage(stdout)
		return errHelp
	case err != nil:
		return f.errorf("%v", err)
	case !positional && f.NArg() > 0:
		return f.errorf("unexpected argument %q", f.Arg(0))
	}
	return nil
}

func (f *flags) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: hotline %s\n\n%s\n\nflags:\n", f.synopsis, f.about)
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// errorf is a usage error of this command.
func (f *flags) errorf(format string, a ...any) error {
	return usageErrorf("hotline "+f.Name(), format, a...)
}

// subcommand runs the command args[0] names. Without one it prints the usage
// to stderr (exit status 2); -h, --help and help print it to stdout.
func subcommand(parent, usage string, args []string, stdout, stderr io.Writer, commands map[string]func([]string) error) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsagePrinted
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(args[1:])
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return errHelp
	}
	name := strings.TrimSpace("hotline " + parent)
	return usageErrorf(name, "unknown %scommand %q", parent, args[0])
}

// versionCmd prints the module version and the VCS revision the binary was
// built from, as the go command stamped them (go build and go install in a
// checkout do; go run does not, and says so).
func versionCmd(args []string, stdout io.Writer) error {
	f := newFlags("version", "version", "Print the version of this binary: module version, VCS revision and Go version.")
	if err := f.parse(args, stdout, false); err != nil {
		return err
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("version: this binary carries no build information")
	}
	fmt.Fprintln(stdout, versionLine(info))
	return nil
}

func versionLine(info *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	line := "hotline " + info.Main.Version
	if rev := settings["vcs.revision"]; rev != "" {
		line += " " + settings["vcs"] + " " + rev
		if t := settings["vcs.time"]; t != "" {
			line += " " + t
		}
		if settings["vcs.modified"] == "true" {
			line += " (modified)"
		}
	} else {
		line += " (no VCS revision stamped: built by go run, or with -buildvcs=false)"
	}
	return line + " " + info.GoVersion
}

// isSet reports whether the command line gave the flag name.
func (f *flags) isSet(name string) bool {
	set := false
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}
