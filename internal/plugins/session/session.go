package session

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// A session as lua-resty-session 4.0.5 (resty/session.lua) handles it for
// Kong: one request's view of a cookie, opened, refreshed, saved or
// destroyed; the cookies it sets go to the request's exchange.

const (
	maxCookieSize  = 4096
	maxCookies     = 9
	maxCookiesSize = maxCookies * maxCookieSize
	// maxTTL caps cookie lifetimes and stored rows (400 days).
	maxTTL = 34560000
	// touchThreshold is how long a session idles before a request renews
	// its idling offset, in seconds.
	touchThreshold = 60
	// expireFlags end a cookie.
	expireFlags = "; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0"
)

// meta is what an opened or saved cookie's header holds.
type meta struct {
	timestamp     int64 // when it was opened or saved
	flags         uint16
	sid           []byte
	creation      int64
	rollingOffset int64
	dataSize      int
	idlingOffset  int64
	header        []byte
	// initialChunk is the payload in the first cookie (cookie storage),
	// sent again when the header is touched.
	initialChunk string
}

var (
	errNoCache         = errors.New("no entity cache")
	errCookieSize      = errors.New("cookie size limit exceeded")
	errMissingAudience = errors.New("missing session audience")
)

// session is one request's session. entries are the cookie's data, one
// per audience (several plugin instances may share a cookie), each the
// JSON array [data, audience, subject]; index is this plugin's.
type session struct {
	h       *handler
	x       *exchange
	now     int64
	entries []json.RawMessage
	index   int
	cur     entry
	meta    *meta // nil until opened or saved
	// rememberMeta is the persistent cookie's, when read or saved.
	rememberMeta *meta
	// inHeaderFilter: Kong's storage reads nothing in header_filter.
	inHeaderFilter bool
}

func (h *handler) newSession(kong *plugin.PDK, inHeaderFilter bool) *session {
	s := &session{h: h, x: exchangeOf(kong), now: clock().Unix(), inHeaderFilter: inHeaderFilter}
	s.cur = entry{data: json.RawMessage("{}"), audience: h.c.Audience}
	s.entries = []json.RawMessage{s.cur.encode()}
	return s
}

// open reads the session cookie, or the persistent one (remember), which
// then starts a new session; it reports whether a session exists, else why
// not.
func (s *session) open(kong *plugin.PDK) (bool, error) {
	ok, err := s.openCookie(kong, false, false)
	if ok {
		return true, nil
	}
	if errors.Is(err, errMissingAudience) || !s.h.c.Remember {
		return false, err
	}
	if remembered, _ := s.openCookie(kong, true, false); !remembered {
		return false, err
	}
	if err := s.save(kong, true); err != nil {
		return false, err
	}
	s.meta = nil
	if err := s.save(kong, false); err != nil {
		return false, err
	}
	return true, nil
}

// openCookie reads the session (or persistent) cookie: its header, its
// timeouts and MAC, then unless metaOnly its data.
func (s *session) openCookie(kong *plugin.PDK, remember, metaOnly bool) (bool, error) {
	c := &s.h.c
	name := c.CookieName
	if remember {
		name = c.RememberCookieName
	}
	cookie, ok := cookieValue(kong, name)
	if !ok {
		return false, errors.New("missing session cookie")
	}
	if len(cookie) < headerEncodedSz {
		return false, errors.New("invalid session header")
	}
	raw, err := b64.DecodeString(cookie[:headerEncodedSz])
	if err != nil {
		return false, errors.New("unable to base64url decode session header")
	}
	if raw[0] != cookieType {
		return false, errors.New("invalid session cookie type")
	}
	hd := parseHeader(raw)
	if (hd.flags&flagStorage != 0) != s.h.storage() {
		return false, errors.New("invalid session flags")
	}
	if err := s.checkTimes(hd, remember); err != nil {
		return false, err
	}
	if !hmac.Equal(hd.mac, s.h.keys.mac(hd.sid, raw)) {
		return false, errors.New("invalid session message authentication code")
	}

	var initialChunk, payload string
	if s.h.storage() {
		payload, err = s.storedPayload(kong, hd.sid)
	} else {
		initialChunk, payload, err = cookiePayload(kong, name, cookie, hd.dataSize)
	}
	if err != nil {
		return false, err
	}
	if len(payload) != hd.dataSize {
		return false, errors.New("invalid session payload")
	}
	ciphertext, err := b64.DecodeString(payload)
	if err != nil {
		return false, errors.New("unable to base64url decode session data")
	}
	m := &meta{timestamp: s.now, flags: hd.flags, sid: hd.sid, creation: hd.creation,
		rollingOffset: hd.rollingOffset, dataSize: hd.dataSize, idlingOffset: hd.idlingOffset,
		header: raw, initialChunk: initialChunk}
	if remember {
		s.rememberMeta = m
	} else {
		s.meta = m
	}
	if metaOnly {
		return true, nil
	}

	plaintext, err := s.h.keys.open(hd.sid, remember, ciphertext, hd.tag, raw[:offTag])
	if err != nil {
		return false, errors.New("unable to decrypt session data")
	}
	if hd.flags&flagDeflate != 0 {
		if plaintext, err = inflate(plaintext); err != nil {
			return false, errors.New("unable to inflate session data")
		}
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(plaintext, &entries); err != nil {
		return false, errors.New("unable to json decode session data")
	}
	for i, raw := range entries {
		if e, ok := decodeEntry(raw); ok && e.audience == c.Audience {
			s.entries, s.index, s.cur = entries, i, e
			return true, nil
		}
	}
	// another audience's session: this one is new, kept beside the others
	s.entries, s.index = append(entries, s.cur.encode()), len(entries)
	return false, errMissingAudience
}

// storedPayload loads the stored data of sid, the JSON array [payload,
// info] lua-resty-session stores. Kong's storage reads nothing in
// header_filter.
func (s *session) storedPayload(kong *plugin.PDK, sid []byte) (string, error) {
	var data string
	if !s.inHeaderFilter {
		var err error
		if data, err = loadStored(kong, b64.EncodeToString(sid)); err != nil {
			return "", errors.New("unable to load session: " + err.Error())
		}
	}
	if data == "" {
		return "", errors.New("unable to load session")
	}
	var stored []json.RawMessage
	var payload string
	if json.Unmarshal([]byte(data), &stored) != nil || len(stored) == 0 || json.Unmarshal(stored[0], &payload) != nil {
		return "", errors.New("unable to json decode session")
	}
	return payload, nil
}

// cookiePayload returns the encrypted data carried by the cookie (after
// its header) and the chunk cookies <name>2 ... <name>9 when it did not
// fit in one, with the part in the first cookie.
func cookiePayload(kong *plugin.PDK, name, cookie string, dataSize int) (initial, payload string, err error) {
	chunks, err := cookieChunks(len(name), dataSize)
	if err != nil {
		return "", "", err
	}
	if chunks == 1 {
		if dataSize > 0 && dataSize <= len(cookie) {
			initial = cookie[len(cookie)-dataSize:]
		} else {
			initial = cookie
		}
		return initial, initial, nil
	}
	initial = cookie[headerEncodedSz:]
	payload = initial
	for i := 2; i <= chunks; i++ {
		chunk, ok := cookieValue(kong, name+strconv.Itoa(i))
		if !ok {
			return "", "", errors.New("missing session cookie chunk")
		}
		payload += chunk
	}
	return initial, payload, nil
}

// cookieChunks returns how many cookies carry a name and dataSize
// characters of payload, each at most 4096 bytes.
func cookieChunks(nameSize, dataSize int) (int, error) {
	need := nameSize + 1 + headerEncodedSz + dataSize
	if need > maxCookiesSize {
		return 0, errCookieSize
	}
	if need <= maxCookieSize {
		return 1, nil
	}
	for i := 2; i <= maxCookies; i++ {
		need += nameSize + 2
		if need > maxCookiesSize {
			break
		}
		if need <= maxCookieSize*i {
			return i, nil
		}
	}
	return 0, errCookieSize
}

// checkTimes refuses a header whose times are out of range or past the
// absolute, rolling or idling timeout (for a persistent cookie, the
// remember timeouts, and it never idles).
func (s *session) checkTimes(hd header, remember bool) error {
	c := &s.h.c
	if hd.creation > maxCreationTime {
		return errors.New("invalid session creation time")
	}
	absolute := s.now - hd.creation
	if absolute > maxRollingOffset {
		return errors.New("session lifetime exceeded")
	}
	rolling := absolute - hd.rollingOffset
	switch {
	case remember && c.RememberAbsoluteTimeout != 0 && float64(absolute) > c.RememberAbsoluteTimeout:
		return errors.New("session remember absolute timeout exceeded")
	case !remember && c.AbsoluteTimeout != 0 && float64(absolute) > c.AbsoluteTimeout:
		return errors.New("session absolute timeout exceeded")
	case remember && c.RememberRollingTimeout != 0 && float64(rolling) > c.RememberRollingTimeout:
		return errors.New("session remember rolling timeout exceeded")
	case !remember && c.RollingTimeout != 0 && float64(rolling) > c.RollingTimeout:
		return errors.New("session rolling timeout exceeded")
	case hd.dataSize > maxDataSize:
		return errors.New("invalid session data size")
	case remember && hd.idlingOffset != 0:
		return errors.New("invalid session idling offset")
	case !remember && c.IdlingTimeout != 0 && float64(rolling-hd.idlingOffset) > c.IdlingTimeout:
		return errors.New("session idling timeout exceeded")
	}
	return nil
}

// save writes the session under a new session id: a new cookie (or
// persistent cookie) and, with storage, a new row replacing the old one.
// The creation time is kept, the rolling offset restarts.
func (s *session) save(kong *plugin.PDK, remember bool) error {
	c := &s.h.c
	name, m := c.CookieName, s.meta
	if remember {
		name, m = c.RememberCookieName, s.rememberMeta
	}
	if m == nil {
		m = &meta{}
	}
	var flags uint16
	if s.h.storage() {
		flags |= flagStorage
	}
	if m.flags&flagForget != 0 {
		flags |= flagForget
	}
	creation, rollingOffset := s.now, int64(0)
	if m.header != nil {
		creation, rollingOffset = m.creation, s.now-m.creation
		if rollingOffset > maxRollingOffset {
			return errors.New("session maximum rolling offset exceeded")
		}
	}
	if creation > maxCreationTime {
		return errors.New("session maximum creation time exceeded")
	}

	plaintext, err := json.Marshal(s.entries)
	if err != nil {
		return err
	}
	if len(plaintext) > compressionThreshold {
		if deflated, err := deflate(plaintext); err == nil && len(deflated) < len(plaintext) {
			flags |= flagDeflate
			plaintext = deflated
		}
	}
	dataSize := base64Size(len(plaintext))
	chunks := 1
	if s.h.storage() {
		if dataSize > maxDataSize {
			return errors.New("session maximum data size exceeded")
		}
	} else if chunks, err = cookieChunks(len(name), dataSize); err != nil {
		return err
	}

	sid := newSID()
	hdr := tagPart(flags, sid, creation, rollingOffset, dataSize)
	ciphertext, tag, err := s.h.keys.seal(sid, remember, plaintext, hdr)
	if err != nil {
		return errors.New("unable to encrypt session data")
	}
	hdr = putLE(append(hdr, tag...), 0, 3) // idling offset 0
	hdr = append(hdr, s.h.keys.mac(sid, hdr)...)
	encoded, payload := b64.EncodeToString(hdr), b64.EncodeToString(ciphertext)

	attrs := s.h.cookieFlags
	if remember {
		maxAge := lifetime(c.RememberRollingTimeout)
		attrs += "; Expires=" + time.Unix(creation+maxAge, 0).UTC().Format(http.TimeFormat) +
			"; Max-Age=" + strconv.FormatInt(maxAge, 10)
	}
	var cookies []setCookie
	var initial string
	switch {
	case s.h.storage():
		cookies = append(cookies, setCookie{name, name + "=" + encoded + attrs})
	case chunks == 1:
		initial = payload
		cookies = append(cookies, setCookie{name, name + "=" + encoded + payload + attrs})
	default:
		rest := payload
		take := func(n int) string {
			n = min(n, len(rest))
			part := rest[:n]
			rest = rest[n:]
			return part
		}
		initial = take(maxCookieSize - headerEncodedSz - len(name) - 1)
		cookies = append(cookies, setCookie{name, name + "=" + encoded + initial + attrs})
		for i := 2; i <= chunks; i++ {
			chunkName := name + strconv.Itoa(i)
			cookies = append(cookies, setCookie{chunkName, chunkName + "=" + take(maxCookieSize-len(name)-2) + attrs})
		}
	}

	if s.h.storage() {
		stored, err := json.Marshal([]string{payload})
		if err != nil {
			return err
		}
		var oldKey string
		if m.sid != nil {
			oldKey = b64.EncodeToString(m.sid)
		}
		ttl := c.RollingTimeout
		if remember {
			ttl = c.RememberRollingTimeout
		}
		if ttl == 0 || ttl > maxTTL {
			ttl = maxTTL
		}
		if err := storeData(kong, b64.EncodeToString(sid), string(stored), ttl, s.now, oldKey, c.StaleTTL, remember); err != nil {
			return errors.New("unable to store session data: " + err.Error())
		}
	} else if m.dataSize > 0 {
		// chunks the previous cookie needed and this one does not
		if old, err := cookieChunks(len(name), m.dataSize); err == nil {
			for i := chunks + 1; i <= old; i++ {
				chunkName := name + strconv.Itoa(i)
				cookies = append(cookies, setCookie{chunkName, chunkName + "=" + s.h.cookieFlags + expireFlags})
			}
		}
	}
	s.x.setCookies(cookies...)

	saved := &meta{timestamp: s.now, flags: flags, sid: sid, creation: creation, rollingOffset: rollingOffset,
		dataSize: dataSize, header: hdr, initialChunk: initial}
	if remember {
		s.rememberMeta = saved
	} else {
		s.meta = saved
	}
	return nil
}

// lifetime is a cookie's Max-Age for a timeout: the timeout, or 400 days
// when it is 0 or longer.
func lifetime(timeout float64) int64 {
	if timeout == 0 || timeout > maxTTL {
		return maxTTL
	}
	return int64(timeout)
}

// saveAll saves the session and, when it is persistent, the persistent
// cookie (a failure of the latter is logged).
func (s *session) saveAll(kong *plugin.PDK) error {
	if err := s.save(kong, false); err != nil {
		return err
	}
	s.saveRemember(kong)
	return nil
}

// saveRemember saves the persistent cookie when the session is
// persistent, keeping the creation time of the one the request carried.
func (s *session) saveRemember(kong *plugin.PDK) {
	if !s.remembers() {
		return
	}
	if s.rememberMeta == nil {
		_, _ = s.openCookie(kong, true, true)
	}
	if err := s.save(kong, true); err != nil {
		kong.Log.Warn("[session] " + err.Error())
	}
}

// remembers reports whether the session is persistent: configured so,
// and not marked to forget.
func (s *session) remembers() bool {
	if s.meta != nil && s.meta.flags&flagForget != 0 {
		return false
	}
	return s.h.c.Remember
}

// touch renews the idling offset: only the header changes, signed again.
func (s *session) touch() {
	m := s.meta
	idling := min(s.now-m.creation-m.rollingOffset, maxIdlingOffset)
	hdr := putLE(append([]byte(nil), m.header[:offIdling]...), uint64(idling), 3)
	hdr = append(hdr, s.h.keys.mac(m.sid, hdr)...)
	m.idlingOffset, m.header = idling, hdr
	name := s.h.c.CookieName
	value := b64.EncodeToString(hdr)
	if !s.h.storage() {
		value += m.initialChunk
	}
	s.x.setCookies(setCookie{name, name + "=" + value + s.h.cookieFlags})
}

// refresh saves the session under a new id once three quarters of the
// rolling timeout passed, or touches it after a minute idle.
func (s *session) refresh(kong *plugin.PDK) error {
	c := &s.h.c
	if c.RollingTimeout == 0 && c.IdlingTimeout == 0 {
		return nil
	}
	m := s.meta
	rolling := m.timestamp - m.creation - m.rollingOffset
	if c.RollingTimeout > 0 && float64(rolling) > math.Ceil(c.RollingTimeout*0.75) {
		return s.save(kong, false)
	}
	if c.IdlingTimeout > 0 && rolling-m.idlingOffset > touchThreshold {
		s.touch()
	}
	return nil
}

// logout ends this audience's session: the cookie is destroyed, or saved
// again without it when other audiences share it.
func (s *session) logout(kong *plugin.PDK) error {
	if len(s.entries) == 1 {
		return s.destroy(kong)
	}
	s.entries = slices.Delete(s.entries, s.index, s.index+1)
	if err := s.save(kong, false); err != nil {
		return err
	}
	s.saveRemember(kong)
	return nil
}

// destroy expires the cookie (and the persistent one) and deletes their
// stored rows.
func (s *session) destroy(kong *plugin.PDK) error {
	if err := s.destroyCookie(kong, false); err != nil {
		return err
	}
	if !s.remembers() {
		return nil
	}
	if s.rememberMeta == nil {
		if ok, _ := s.openCookie(kong, true, true); !ok {
			return nil
		}
	}
	return s.destroyCookie(kong, true)
}

func (s *session) destroyCookie(kong *plugin.PDK, remember bool) error {
	name, m := s.h.c.CookieName, s.meta
	if remember {
		name, m = s.h.c.RememberCookieName, s.rememberMeta
	}
	if m == nil {
		m = &meta{}
	}
	chunks := 1
	if !s.h.storage() && m.dataSize > 0 {
		var err error
		if chunks, err = cookieChunks(len(name), m.dataSize); err != nil {
			return err
		}
	}
	cookies := []setCookie{{name, name + "=" + s.h.cookieFlags + expireFlags}}
	for i := 2; i <= chunks; i++ {
		chunkName := name + strconv.Itoa(i)
		cookies = append(cookies, setCookie{chunkName, chunkName + "=" + s.h.cookieFlags + expireFlags})
	}
	if s.h.storage() && m.sid != nil {
		if err := deleteStored(kong, b64.EncodeToString(m.sid)); err != nil {
			return errors.New("unable to destroy session: " + err.Error())
		}
	}
	s.x.setCookies(cookies...)
	return nil
}
