package main

import (
	"slices"
	"testing"
	"time"
)

func TestProfileFlag(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil || o.profile != "" {
		t.Errorf("no flag: profile %q, %v; want \"\"", o.profile, err)
	}
	t.Setenv("LOADBENCH_PROFILE", "/tmp/from-env")
	if o, err = parseFlags(nil); err != nil || o.profile != "/tmp/from-env" {
		t.Errorf("LOADBENCH_PROFILE: profile %q, %v; want /tmp/from-env", o.profile, err)
	}
	if o, err = parseFlags([]string{"-profile", "out"}); err != nil || o.profile != "out" {
		t.Errorf("-profile out: profile %q, %v; want out (the flag wins)", o.profile, err)
	}
}

func TestProfilePaths(t *testing.T) {
	t.Parallel()
	cpu, allocs := profilePaths("/tmp/profiles", "key-auth+rl")
	if cpu != "/tmp/profiles/key-auth+rl.cpu.pprof" || allocs != "/tmp/profiles/key-auth+rl.allocs.pprof" {
		t.Errorf("profilePaths = %q, %q", cpu, allocs)
	}
}

func TestProfileSeconds(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]int{time.Second: 1, 2 * time.Second: 1, 5 * time.Second: 4, 10 * time.Second: 9, 10500 * time.Millisecond: 9} {
		if got := profileSeconds(d); got != want {
			t.Errorf("profileSeconds(%s) = %d, want %d", d, got, want)
		}
	}
}

func TestGatewayEnvDebugListen(t *testing.T) {
	t.Parallel()
	const debugListen = "KONG_DEBUG_LISTEN=" + gatewayDebug
	if env := (gatewayConfig{dir: "/w"}).env("/w"); slices.Contains(env, debugListen) {
		t.Errorf("without profile, env has %s", debugListen)
	}
	if env := (gatewayConfig{dir: "/w", profile: true}).env("/w"); !slices.Contains(env, debugListen) {
		t.Errorf("with profile, env lacks %s: %q", debugListen, env)
	}
}
