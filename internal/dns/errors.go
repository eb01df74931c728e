package dns

import (
	"errors"
	"strconv"
)

// Error is a failed resolution, with the message Kong's client gives it:
// "dns server error: 3 name error", "dns client error: 101 empty record
// received", or a query's failure ("failed to receive reply from UDP
// server 10.0.0.2:53: timeout").
type Error struct {
	// Code is the server's response code (1 to 23), one of the client's
	// codes (100 and up), or 0 for a query that got no answer.
	Code int
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Response and client codes.
const (
	codeNameError = 3   // NXDOMAIN
	codeCacheOnly = 100 // nothing cached and no query allowed
	codeEmpty     = 101 // NOERROR without records of the type
)

// rcodeText is OpenResty's resolver's text for a response code.
var rcodeText = map[int]string{
	1: "format error",
	2: "server failure",
	3: "name error",
	4: "not implemented",
	5: "refused",
}

// serverError is a response code other than NOERROR.
func serverError(rcode int) *Error {
	text, ok := rcodeText[rcode]
	if !ok {
		text = "unknown"
	}
	return &Error{Code: rcode, msg: "dns server error: " + strconv.Itoa(rcode) + " " + text}
}

var (
	errEmpty     = &Error{Code: codeEmpty, msg: "dns client error: 101 empty record received"}
	errCacheOnly = &Error{Code: codeCacheOnly, msg: "dns server error: 100 cache only lookup failed"}
	errRecursion = &Error{msg: "recursion detected"}
	errNoServers = &Error{msg: "failed to create a resolver: no nameservers specified"}
)

// IsNotFound reports whether err is a "name error" or an empty answer for
// every type tried: the failures Kong's proxy answers with 503 "name
// resolution failed" (any other is a 500).
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	return errors.As(err, &e) && (e.Code == codeNameError || e.Code == codeEmpty)
}
