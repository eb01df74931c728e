package proxy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
)

// TestConfigSwapUnderLoad hammers the proxy while routes are added,
// removed and repointed through the DAO: no request may fail or reach an
// upstream no snapshot would route it to.
func TestConfigSwapUnderLoad(t *testing.T) {
	e := newEnv(t)
	a, b, c := newEcho(t, "a"), newEcho(t, "b"), newEcho(t, "c")
	sa, sb, sc := e.service(a.URL, nil), e.service(b.URL, nil), e.service(c.URL, nil)
	e.route(sa, map[string]any{"paths": []any{"/stable"}})
	flip := e.route(sb, map[string]any{"paths": []any{"/flip"}})

	workers, perWorker := 4, 2000
	if raceEnabled {
		perWorker = 1000
	}
	var failed, misrouted atomic.Int64
	var firstErr atomic.Value
	report := func(format string, args ...any) {
		firstErr.CompareAndSwap(nil, fmt.Sprintf(format, args...))
	}
	stop := make(chan struct{})
	var churn sync.WaitGroup
	var swaps atomic.Int64
	churn.Add(1)
	go func() { // the configuration changes while requests run
		defer churn.Done()
		ctx := context.Background()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			swaps.Add(2)
			target := sb
			if i%2 == 1 {
				target = sc
			}
			var tmp string
			err := e.db.Update(ctx, func(tx *store.Txn) error {
				if _, err := tx.Update(ctx, "routes", flip, map[string]any{"service": map[string]any{"id": target}}); err != nil {
					return err
				}
				r, err := tx.Insert(ctx, "routes", map[string]any{"paths": []any{fmt.Sprintf("/tmp%d", i)}, "service": map[string]any{"id": sc}})
				if err == nil {
					tmp = r["id"].(string)
				}
				return err
			})
			if err == nil {
				err = e.holder.Rebuild(ctx)
			}
			if err == nil {
				err = e.db.Update(ctx, func(tx *store.Txn) error {
					_, err := tx.Delete(ctx, "routes", tmp)
					return err
				})
			}
			if err == nil {
				err = e.holder.Rebuild(ctx)
			}
			if err != nil {
				report("configuration change: %v", err)
				return
			}
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				path, upstreamPath, allowed := "/stable/x", "/x", "a"
				if i%2 == 1 {
					path, upstreamPath, allowed = "/flip/y", "/y", "bc"
				}
				query := fmt.Sprintf("?w=%d&i=%d", w, i)
				res, err := client.Get(e.srv.URL + path + query)
				if err != nil {
					failed.Add(1)
					report("%s: %v", path, err)
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
					report("%s: %d %s", path, res.StatusCode, body)
					continue
				}
				got := decodeEcho(t, string(body))
				if got.ID == "" || !containsRune(allowed, got.ID) || got.URI != upstreamPath+query {
					misrouted.Add(1)
					report("%s went to %s as %s", path, got.ID, got.URI)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	churn.Wait()
	t.Logf("%d requests in %v during %d configuration swaps", workers*perWorker, time.Since(start), swaps.Load())
	if failed.Load() != 0 || misrouted.Load() != 0 {
		t.Errorf("%d failed, %d misrouted; first: %v", failed.Load(), misrouted.Load(), firstErr.Load())
	} else if v := firstErr.Load(); v != nil {
		t.Error(v)
	}
}

func containsRune(set, id string) bool {
	for _, r := range set {
		if string(r) == id {
			return true
		}
	}
	return false
}
