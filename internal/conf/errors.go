package conf

import (
	"fmt"
	"io/fs"
	"strings"
)

// Error is one invalid property. Message is Kong's text, byte for byte where
// Kong has one (it usually, but not always, begins with the property name).
type Error struct {
	Property string
	Message  string
}

// Error returns Message.
func (e *Error) Error() string { return e.Message }

func newError(property, format string, args ...any) *Error {
	return &Error{Property: property, Message: fmt.Sprintf(format, args...)}
}

// Errors is every problem found in a configuration, in the order checked.
// Kong's `kong check` prints each; `kong start` prints the first.
type Errors []*Error

// Error joins the messages with newlines.
func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Message
	}
	return strings.Join(msgs, "\n")
}

// Unwrap exposes each *Error to errors.As and errors.Is.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// add appends a problem with property.
func (es *Errors) add(property, format string, args ...any) {
	*es = append(*es, newError(property, format, args...))
}

// noFileError is Kong's "no file at: <path>"; it matches fs.ErrNotExist.
type noFileError struct{ path string }

// Error returns Kong's message.
func (e *noFileError) Error() string { return "no file at: " + e.path }

// Unwrap makes the error match fs.ErrNotExist.
func (e *noFileError) Unwrap() error { return fs.ErrNotExist }
