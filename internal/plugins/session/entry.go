package session

import (
	"encoding/json"
	"strconv"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// entry is one audience's part of the session data: the JSON array
// [data, audience, subject], where Kong's data is the array [consumer id,
// credential id, authenticated groups].
type entry struct {
	data     json.RawMessage
	audience string
	subject  string
}

func decodeEntry(raw json.RawMessage) (entry, bool) {
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil || len(parts) < 2 {
		return entry{}, false
	}
	e := entry{data: parts[0]}
	if json.Unmarshal(parts[1], &e.audience) != nil {
		return entry{}, false
	}
	if len(parts) > 2 {
		_ = json.Unmarshal(parts[2], &e.subject) // a subject that is not a string is none
	}
	return e, true
}

// encode returns the entry's JSON; without subject the array ends with the
// audience, as Lua encodes it.
func (e entry) encode() json.RawMessage {
	parts := []any{e.data, e.audience}
	if e.subject != "" {
		parts = append(parts, e.subject)
	}
	b, _ := json.Marshal(parts) // strings and valid JSON always encode
	return b
}

// update stores the current entry back among the entries.
func (s *session) update() { s.entries[s.index] = s.cur.encode() }

// identity returns what the plugin keeps in the session: the consumer id,
// the credential id and the authenticated groups (nil when none).
func (s *session) identity() (consumerID, credentialID string, groups []string) {
	var parts []json.RawMessage
	if json.Unmarshal(s.cur.data, &parts) != nil {
		return "", "", nil
	}
	if len(parts) > 0 {
		_ = json.Unmarshal(parts[0], &consumerID)
	}
	if len(parts) > 1 {
		_ = json.Unmarshal(parts[1], &credentialID)
	}
	if len(parts) > 2 {
		// Lua encodes an empty table as {}: groups, but none
		if json.Unmarshal(parts[2], &groups) != nil && string(parts[2]) == "{}" {
			groups = []string{}
		}
	}
	return consumerID, credentialID, groups
}

// setIdentity stores the consumer id, credential id and groups, and the
// subject.
func (s *session) setIdentity(consumerID, credentialID string, groups []string, subject string) {
	parts := []any{consumerID, credentialID}
	if groups != nil {
		parts = append(parts, groups)
	}
	s.cur.data, _ = json.Marshal(parts) // strings always encode
	s.cur.subject = subject
	s.update()
}

// headerNames are the headers of the properties response_headers and
// request_headers name.
var headerNames = map[string]string{
	"id":               "Session-Id",
	"audience":         "Session-Audience",
	"subject":          "Session-Subject",
	"timeout":          "Session-Timeout",
	"idling-timeout":   "Session-Idling-Timeout",
	"rolling-timeout":  "Session-Rolling-Timeout",
	"absolute-timeout": "Session-Absolute-Timeout",
}

// property returns a session property for its header; false when it has
// no value (a timeout of 0 is none).
func (s *session) property(name string) (string, bool) {
	switch name {
	case "audience":
		return s.cur.audience, true
	case "subject":
		return s.cur.subject, s.cur.subject != ""
	case "id":
		if s.meta == nil {
			return "", false
		}
		return b64.EncodeToString(s.meta.sid), true
	}
	var left float64
	found := false
	for _, timeout := range []string{"idling-timeout", "rolling-timeout", "absolute-timeout"} {
		if name != "timeout" && name != timeout {
			continue
		}
		if t, ok := s.remaining(timeout); ok && (!found || t < left) {
			left, found = t, true
		}
	}
	return strconv.FormatFloat(left, 'f', -1, 64), found
}

// remaining returns the seconds left before the idling, rolling or
// absolute timeout, false when it is 0 (none).
func (s *session) remaining(timeout string) (float64, bool) {
	c, m := &s.h.c, s.meta
	if m == nil {
		return 0, false
	}
	rolling := m.timestamp - m.creation - m.rollingOffset
	var t float64
	var elapsed int64
	switch timeout {
	case "idling-timeout":
		t, elapsed = c.IdlingTimeout, rolling-m.idlingOffset
	case "rolling-timeout":
		t, elapsed = c.RollingTimeout, rolling
	default:
		t, elapsed = c.AbsoluteTimeout, m.timestamp-m.creation
	}
	return t - float64(elapsed), t != 0
}

// setRequestHeaders sends request_headers upstream.
func (s *session) setRequestHeaders(kong *plugin.PDK) {
	for _, p := range s.h.c.RequestHeaders {
		if v, ok := s.property(p); ok {
			kong.ServiceRequest.SetHeader(headerNames[p], v)
		}
	}
}

// setResponseHeaders sends response_headers to the client.
func (s *session) setResponseHeaders() {
	for _, p := range s.h.c.ResponseHeaders {
		if v, ok := s.property(p); ok {
			s.x.setHeader(headerNames[p], v)
		}
	}
}
