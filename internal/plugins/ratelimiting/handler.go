package ratelimiting

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/ratelimit"
)

// Name and Priority are Kong's.
const (
	Name     = "rate-limiting"
	Priority = 910
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// Response headers (Kong's handler.lua: RateLimit-Limit ...), in the
// canonical form the response spells them in.
const (
	headerLimit      = "Ratelimit-Limit"
	headerRemaining  = "Ratelimit-Remaining"
	headerReset      = "Ratelimit-Reset"
	headerRetryAfter = "Retry-After"
)

// limit is one configured period.
type limit struct {
	period ratelimit.Period
	value  float64
	text   string // value formatted
	// headerLimit and headerRemaining are X-RateLimit-Limit-<Period> and
	// X-RateLimit-Remaining-<Period>, canonical.
	headerLimit, headerRemaining string
}

type handler struct {
	c        Config
	limits   []limit
	policies ratelimit.Selector
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, policies: ratelimit.NewSelector(c.Policy, c.Redis, c.SyncRate)}
	for i, v := range c.limits() {
		if v != nil {
			p := ratelimit.Periods[i]
			h.limits = append(h.limits, limit{period: p, value: *v, text: ratelimit.FormatNumber(*v),
				headerLimit:     http.CanonicalHeaderKey("X-RateLimit-Limit-" + p.Title()),
				headerRemaining: http.CanonicalHeaderKey("X-RateLimit-Remaining-" + p.Title())})
		}
	}
	return h, nil
}

var (
	_ plugin.AccessHandler       = (*handler)(nil)
	_ plugin.HeaderFilterHandler = (*handler)(nil)
)

// usage is Access's scratch space: the counters of the request's windows
// and what they held. Pooled, since passing them to a Policy makes them
// escape.
type usage struct {
	counters    [len(ratelimit.Periods)]ratelimit.Counter
	used, given [len(ratelimit.Periods)]int64
}

var usagePool = sync.Pool{New: func() any { return new(usage) }}

// Access counts the request in every configured window and refuses it
// when one of them is spent. A refused request is given back: it does not
// count.
func (h *handler) Access(kong *plugin.PDK) error {
	now := time.Now().Unix()
	scope := ratelimit.ScopeOf(kong)
	id := ratelimit.Identifier(kong, h.c.LimitBy, h.c.HeaderName, h.c.Path)
	u := usagePool.Get().(*usage)
	defer usagePool.Put(u)
	n := len(h.limits)
	counters, used := u.counters[:n], u.used[:n]
	for i, l := range h.limits {
		counters[i] = ratelimit.Counter{Scope: scope, Identifier: id, Period: l.period, Start: l.period.Start(now)}
	}
	policy, err := h.policies.Policy(kong)
	if err == nil {
		err = policy.Add(kong.Context(), counters, 1, used)
	}
	if err != nil {
		if !h.c.FaultTolerant {
			return fmt.Errorf("failed to get usage: %w", err)
		}
		kong.Log.Error("failed to get usage: " + err.Error())
		return nil
	}
	stop := false
	for i, l := range h.limits {
		if l.value-float64(used[i]) <= 0 {
			stop = true
		}
	}
	if stop {
		if err := policy.Add(kong.Context(), counters, -1, u.given[:n]); err != nil {
			kong.Log.Error("failed to give back a refused request: " + err.Error())
		}
	}
	if !h.c.HideClientHeaders {
		h.setHeaders(kong, now, used, stop)
	}
	if stop {
		return kong.Response.Error(int(h.c.ErrorCode), h.c.ErrorMessage)
	}
	return nil
}

// setHeaders records X-RateLimit-Limit-<Period> and
// X-RateLimit-Remaining-<Period> for every window, RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset for the one with the fewest
// requests left (the longest on a tie), and Retry-After on a refusal.
// Remaining counts the request unless it was refused.
func (h *handler) setHeaders(kong *plugin.PDK, now int64, used []int64, stop bool) {
	rh := ratelimit.ResponseHeaders(kong)
	var best *limit
	var bestRemaining float64
	var bestText string
	for i := range h.limits {
		l := &h.limits[i]
		remaining := l.value - float64(used[i])
		if !stop || remaining <= 0 {
			remaining--
		}
		remaining = max(0, remaining)
		text := ratelimit.FormatNumber(remaining)
		if best == nil || remaining < bestRemaining || remaining == bestRemaining && l.period > best.period {
			best, bestRemaining, bestText = l, remaining, text
		}
		rh.Set(l.headerLimit, l.text)
		rh.Set(l.headerRemaining, text)
	}
	reset := strconv.FormatInt(best.period.Reset(now), 10)
	rh.Set(headerLimit, best.text)
	rh.Set(headerRemaining, bestText)
	rh.Set(headerReset, reset)
	if stop {
		rh.Set(headerRetryAfter, reset)
	}
}

// HeaderFilter sends the recorded headers, on the upstream's response as
// on a refusal.
func (h *handler) HeaderFilter(kong *plugin.PDK) error {
	ratelimit.ApplyHeaders(kong)
	return nil
}
