package botdetection

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// Name and Priority are Kong's.
const (
	Name     = "bot-detection"
	Priority = 2500
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// Kong's message for a request with several User-Agent headers; the 403
// carries the status's default message, "Forbidden".
const msgManyAgents = "Only one User-Agent header allowed"

// cacheSize bounds the verdicts an instance remembers (Kong's
// UA_CACHE_SIZE).
const cacheSize = 10_000

// verdict is what examining a User-Agent concluded (Kong's MATCH_*).
type verdict uint8

const (
	verdictNone verdict = iota
	verdictAllow
	verdictDeny
	verdictBot
)

// bots are the built-in patterns, compiled once.
var bots = func() []*regexp.Regexp {
	res := make([]*regexp.Regexp, len(builtinBots))
	for i, p := range builtinBots {
		res[i] = regexp.MustCompile(p)
	}
	return res
}()

type handler struct {
	allow, deny []*regexp.Regexp
	cache       *lru
}

func newHandler(c Config) (plugin.Handler, error) {
	allow, err := compileAll(c.Allow)
	if err != nil {
		return nil, err
	}
	deny, err := compileAll(c.Deny)
	if err != nil {
		return nil, err
	}
	return &handler{allow: allow, deny: deny, cache: newLRU(cacheSize)}, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access refuses a request with several User-Agent headers (400) or whose
// User-Agent is denied or a known bot and not allowed (403); a request
// without User-Agent passes.
func (h *handler) Access(kong *plugin.PDK) error {
	agents := kong.Request.Headers().Values("User-Agent")
	switch {
	case len(agents) == 0:
		return nil
	case len(agents) > 1:
		return kong.Response.Error(400, msgManyAgents)
	}
	agent := agents[0]
	v, ok := h.cache.get(agent)
	if !ok {
		v = h.examine(agent)
		h.cache.set(agent, v)
	}
	if v == verdictDeny || v == verdictBot {
		return kong.Response.Error(403, "")
	}
	return nil
}

// examine matches the User-Agent, stripped of surrounding ASCII
// whitespace (Kong's strip), against the allow patterns, then the deny patterns, then the built-in
// bots.
func (h *handler) examine(agent string) verdict {
	agent = strings.Trim(agent, " \t\n\v\f\r")
	switch {
	case matchAny(h.allow, agent):
		return verdictAllow
	case matchAny(h.deny, agent):
		return verdictDeny
	case matchAny(bots, latin1(agent)):
		return verdictBot
	}
	return verdictNone
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// latin1 returns s with each byte as one character, so that the built-in
// patterns count bytes as PCRE does without UTF mode (a `.{0,30}` spans 30
// bytes, not 30 UTF-8 characters); ASCII is unchanged.
func latin1(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

func compileAll(patterns []string) ([]*regexp.Regexp, error) {
	res := make([]*regexp.Regexp, 0, len(patterns))
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, err
		}
		res = append(res, re)
	}
	return res, nil
}
