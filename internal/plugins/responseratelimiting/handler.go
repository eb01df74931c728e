package responseratelimiting

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/ratelimit"
)

// Name and Priority are Kong's.
const (
	Name     = "response-ratelimiting"
	Priority = 900
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// stateKey is where a request's usage waits in kong.ctx.shared for
// header_filter and log (Kong's kong.ctx.plugin).
const stateKey = "__response_ratelimiting__"

// slot is one limit of one named limit: a counter per request.
type slot struct {
	name   string
	index  int // the named limit's, in handler.names
	period ratelimit.Period
	value  float64
	text   string // value formatted
	// headerLimit and headerRemaining are
	// X-RateLimit-Limit-<name>-<period> and
	// X-RateLimit-Remaining-<name>-<period>, canonical.
	headerLimit, headerRemaining string
}

type handler struct {
	c        Config
	policies ratelimit.Selector
	// names are the limits' names, sorted; slots their limits, by name
	// then period.
	names []string
	slots []slot
	// remainingHeaders are X-RateLimit-Remaining-<name> by name,
	// canonical.
	remainingHeaders []string
}

// state is what access leaves for header_filter and log.
type state struct {
	policy     ratelimit.Policy
	identifier string
	scope      ratelimit.Scope
	now        int64
	used       []int64 // by slot
	increments []int64 // by name, from the upstream's header
	refused    bool    // header_filter turned the response into a 429
}

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, policies: ratelimit.NewSelector(c.Policy, c.Redis, ratelimit.SyncRealtime)}
	h.names = slices.Sorted(maps.Keys(c.Limits))
	for i, name := range h.names {
		h.remainingHeaders = append(h.remainingHeaders, http.CanonicalHeaderKey("X-RateLimit-Remaining-"+name))
		for _, p := range ratelimit.Periods {
			if v := c.Limits[name][p.String()]; v != nil {
				h.slots = append(h.slots, slot{name: name, index: i, period: p, value: *v, text: ratelimit.FormatNumber(*v),
					headerLimit:     http.CanonicalHeaderKey("X-RateLimit-Limit-" + name + "-" + p.String()),
					headerRemaining: http.CanonicalHeaderKey("X-RateLimit-Remaining-" + name + "-" + p.String())})
			}
		}
	}
	return h, nil
}

var (
	_ plugin.AccessHandler       = (*handler)(nil)
	_ plugin.HeaderFilterHandler = (*handler)(nil)
	_ plugin.BodyFilterHandler   = (*handler)(nil)
	_ plugin.LogHandler          = (*handler)(nil)
)

// counters returns the request's counters, one per slot.
func (h *handler) counters(st *state) []ratelimit.Counter {
	cs := make([]ratelimit.Counter, len(h.slots))
	for i, s := range h.slots {
		cs[i] = ratelimit.Counter{Scope: st.scope, Identifier: st.identifier, Name: s.name, Period: s.period, Start: s.period.Start(st.now)}
	}
	return cs
}

// Access reads the usage of every limit, sends the fewest units left of
// each in X-RateLimit-Remaining-<name> and, with
// block_on_first_violation, refuses the request when a limit is spent.
func (h *handler) Access(kong *plugin.PDK) error {
	st := &state{identifier: ratelimit.Identifier(kong, h.c.LimitBy, "", ""), scope: ratelimit.ScopeOf(kong),
		now: time.Now().Unix(), used: make([]int64, len(h.slots))}
	policy, err := h.policies.Policy(kong)
	if err == nil {
		err = policy.Get(kong.Context(), h.counters(st), st.used)
	}
	if err != nil {
		if !h.c.FaultTolerant {
			return fmt.Errorf("failed to get usage: %w", err)
		}
		kong.Log.Error("failed to get usage: " + err.Error())
		return nil
	}
	st.policy = policy
	if h.c.BlockOnFirstViolation {
		for i, s := range h.slots {
			if s.value-float64(st.used[i]) == 0 {
				return kong.Response.Error(429, "API rate limit exceeded for '"+s.name+"'")
			}
		}
	}
	rh := ratelimit.ResponseHeaders(kong)
	for lo := 0; lo < len(h.slots); {
		hi, least := lo, h.slots[lo].value-float64(st.used[lo])
		for ; hi < len(h.slots) && h.slots[hi].index == h.slots[lo].index; hi++ {
			least = min(least, h.slots[hi].value-float64(st.used[hi]))
		}
		rh.Set(h.remainingHeaders[h.slots[lo].index], ratelimit.FormatNumber(least))
		lo = hi
	}
	kong.Shared()[stateKey] = st
	return nil
}

// HeaderFilter reads the units the upstream spent from its header_name
// header (removed from the response), sends the limits and what is left
// of them, and turns the response into a bodiless 429 when the upstream
// spent units of a spent limit.
func (h *handler) HeaderFilter(kong *plugin.PDK) error {
	st, _ := kong.Shared()[stateKey].(*state)
	if st == nil {
		return nil
	}
	header := kong.Response.Header()
	if kong.Response.Source() == proxy.SourceService {
		st.increments = h.parse(header.Get(h.c.HeaderName))
	} else {
		st.increments = make([]int64, len(h.names))
	}
	rh := ratelimit.ResponseHeaders(kong)
	for i, s := range h.slots {
		remaining := s.value - float64(st.used[i])
		spent := st.increments[s.index]
		if !h.c.HideClientHeaders {
			rh.Set(s.headerLimit, s.text)
			rh.Set(s.headerRemaining, ratelimit.FormatNumber(max(0, remaining-float64(spent))))
		}
		if spent > 0 && remaining <= 0 {
			st.refused = true
		}
	}
	ratelimit.ApplyHeaders(kong)
	header.Del(h.c.HeaderName)
	if st.refused {
		kong.Response.SetStatus(429)
		header.Set("Content-Length", "0")
	}
	return nil
}

// parse reads "name=N, other=M" into increments by name; unknown names,
// malformed parts and values that are not integers are ignored.
func (h *handler) parse(value string) []int64 {
	inc := make([]int64, len(h.names))
	for part := range strings.SplitSeq(value, ",") {
		kv := strings.Split(part, "=")
		if len(kv) != 2 {
			continue
		}
		i, found := slices.BinarySearchFunc(h.names, strings.TrimSpace(kv[0]), cmp.Compare)
		n, err := strconv.ParseInt(strings.TrimSpace(kv[1]), 10, 64)
		if found && err == nil {
			inc[i] = n
		}
	}
	return inc
}

// BodyFilter drops the body of a response header_filter refused.
func (h *handler) BodyFilter(kong *plugin.PDK, chunk []byte, _ bool) []byte {
	if st, _ := kong.Shared()[stateKey].(*state); st != nil && st.refused {
		return nil
	}
	return chunk
}

// Log adds what the upstream spent to the counters of the windows of the
// request's start, unless the response was refused.
func (h *handler) Log(entry *plugin.LogEntry, log *slog.Logger) {
	st, _ := entry.Shared[stateKey].(*state)
	if st == nil || st.refused || st.increments == nil {
		return
	}
	counters := h.counters(st)
	before := make([]int64, len(counters))
	for lo := 0; lo < len(h.slots); {
		hi := lo
		for hi < len(h.slots) && h.slots[hi].index == h.slots[lo].index {
			hi++
		}
		if n := st.increments[h.slots[lo].index]; n != 0 {
			if err := st.policy.Add(context.Background(), counters[lo:hi], n, before[lo:hi]); err != nil {
				log.Error("could not increment counters of "+h.slots[lo].name, "error", err)
			}
		}
		lo = hi
	}
}
