package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profilePaths are where a scenario's CPU and allocation profiles go in dir.
func profilePaths(dir, scenario string) (cpu, allocs string) {
	return filepath.Join(dir, scenario+".cpu.pprof"), filepath.Join(dir, scenario+".allocs.pprof")
}

// profileSeconds is how long the profiles of a round of d last: a second less than the
// round, so that they cover load only, and at least one.
func profileSeconds(d time.Duration) int {
	return max(int((d-time.Second)/time.Second), 1)
}

// profileRound runs one extra, unmeasured wrk round of o.duration against the gateway
// while fetching its CPU profile and a delta allocation profile over the round from
// debug_listen, saved under o.profile.
func profileRound(ctx context.Context, o options, sc scenario) error {
	return profileLoad(ctx, o, sc.name, func(ctx context.Context) error {
		_, err := runWrk(ctx, o, sc.url(gatewayProxy), sc.key(), o.duration)
		return err
	})
}

// profileLoad runs load, one extra, unmeasured round of o.duration, while fetching the
// gateway's CPU profile and a delta allocation profile over it from debug_listen, saved
// under o.profile with the name given.
func profileLoad(ctx context.Context, o options, name string, load func(context.Context) error) error {
	secs := profileSeconds(o.duration)
	cpu, allocs := profilePaths(o.profile, name)
	logf("%s: profile round %s (not in the table): CPU and allocations over %d s", name, o.duration, secs)
	errs := make(chan error, 2)
	for _, p := range []struct{ file, profile string }{{cpu, "profile"}, {allocs, "allocs"}} {
		go func() {
			errs <- fetchProfile(ctx, fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", gatewayDebug, p.profile, secs), p.file)
		}()
	}
	loadErr := load(ctx)
	for range 2 {
		if err := <-errs; err != nil {
			return err
		}
	}
	if loadErr != nil {
		return loadErr
	}
	logf("%s: profiles %s and %s; read them with: go tool pprof -top %s %s", name, cpu, allocs, o.gateway, cpu)
	return nil
}

// fetchProfile saves the profile url serves to file.
func fetchProfile(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", url, res.Status, body)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return f.Close()
}
