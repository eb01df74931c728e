package cli

import (
	"runtime"
	"testing"

	"github.com/silverback-gw/silverback/internal/meta"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "3.9.1\n"},
		{[]string{"version", "-a"}, "Kong: 3.9.1\nSilverback: " + meta.Version + "\nGo: " + runtime.Version() + "\n"},
		{[]string{"version", "--all"}, "Kong: 3.9.1\nSilverback: " + meta.Version + "\nGo: " + runtime.Version() + "\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCLI(t, nil, tt.args...)
		if status != 0 || stdout != tt.want || stderr != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want 0, %q", tt.args, status, stdout, stderr, tt.want)
		}
	}
}
