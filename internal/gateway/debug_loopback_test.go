package gateway

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/conf"
)

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true,
		"0.0.0.0": false, "::": false, "*": false, "192.0.2.1": false, "example.test": false,
	} {
		if got := isLoopback(conf.Listener{Host: host, Port: 8102}); got != want {
			t.Errorf("isLoopback(%s) = %v, want %v", host, got, want)
		}
	}
}
