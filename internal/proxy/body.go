package proxy

import (
	"errors"
	"io"
	"net/http"
)

// ErrRequestBodyTooLarge is returned by Request.Body for a body beyond
// client_max_body_size; State.FailRequestBody answers it with nginx's 413.
var ErrRequestBodyTooLarge = errBodyTooLarge

// Body reads the client's whole body and returns it
// (kong.request.get_raw_body); nil for a request without one. Once read,
// the body is kept and sent upstream from memory, so reading it costs a
// copy of the body but no longer streams it. A body beyond
// client_max_body_size gives ErrRequestBodyTooLarge, a client that stops
// sending an error wrapping the read's.
func (r *Request) Body() ([]byte, error) {
	if r.bodyRead || r.bodySrc == nil {
		return r.bodyBuf, r.bodyErr
	}
	r.bodyRead = true
	if r.length == 0 {
		return nil, nil
	}
	var buf []byte
	if r.length > 0 {
		buf = make([]byte, 0, r.length)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.bodySrc.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == nil && r.length >= 0 && int64(len(buf)) >= r.length {
			break
		}
		if err != nil {
			r.bodyErr = err
			return nil, err
		}
	}
	r.bodyBuf = buf
	return buf, nil
}

// bodyToSend returns the body to send upstream from memory, and whether
// there is one: a plugin's (ServiceRequest.SetBody), else the client's
// once a plugin read it.
func (s *State) bodyToSend() ([]byte, bool) {
	switch {
	case s.upstream.bodySet:
		return s.upstream.body, true
	case s.request.bodyRead && s.request.bodyErr == nil && s.request.length != 0:
		return s.request.bodyBuf, true
	}
	return nil, false
}

// SetBody replaces the body sent upstream (kong.service.request.
// set_raw_body); Content-Length follows it.
func (r *ServiceRequest) SetBody(b []byte) { r.body, r.bodySet = b, true }

// FailRequestBody answers a failure of Request.Body as nginx does (413
// beyond client_max_body_size, 400 when the client's body broke off) and
// reports whether err was one.
func (s *State) FailRequestBody(err error) bool {
	var ce errClientBody
	switch {
	case errors.Is(err, errBodyTooLarge):
		s.fail(http.StatusRequestEntityTooLarge)
	case errors.As(err, &ce):
		s.fail(http.StatusBadRequest)
	default:
		return false
	}
	return true
}
