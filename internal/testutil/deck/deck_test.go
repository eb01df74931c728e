package deck

import (
	"strings"
	"testing"
)

// TestVersion checks that decK can be built (slow the first time: see the
// package doc) and runs. It needs no Admin API.
func TestVersion(t *testing.T) {
	stdout, stderr, err := Run(t, "", "version")
	if err != nil {
		t.Fatalf("deck version: %v\nstderr: %s", err, stderr)
	}
	if want := "decK " + Version + " "; !strings.HasPrefix(stdout, want) {
		t.Fatalf("deck version printed %q, want prefix %q", stdout, want)
	}
}
