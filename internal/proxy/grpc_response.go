package proxy

import (
	"net/http"
	"strconv"
	"strings"
)

// contentTypeGRPC is the Content-Type of gRPC messages.
const contentTypeGRPC = "application/grpc"

// grpcCode is the gRPC status code Kong gives an HTTP status of its own
// responses (HTTP_TO_GRPC_STATUS in kong/pdk/response.lua).
func grpcCode(status int) int {
	switch status {
	case 200:
		return 0 // OK
	case 400:
		return 3 // InvalidArgument
	case 401:
		return 16 // Unauthenticated
	case 403:
		return 7 // PermissionDenied
	case 404:
		return 5 // NotFound
	case 409:
		return 6 // AlreadyExists
	case 429:
		return 8 // ResourceExhausted
	case 499:
		return 1 // Canceled
	case 500:
		return 13 // Internal
	case 501:
		return 12 // Unimplemented
	case 503:
		return 14 // Unavailable
	case 504:
		return 4 // DeadlineExceeded
	}
	switch {
	case status >= 500 && status <= 599:
		return 13
	case status >= 400 && status <= 499:
		return 3
	case status >= 200 && status <= 299:
		return 0
	}
	return 2 // Unknown
}

// grpcNames are the grpc-message values Kong sends with each code.
var grpcNames = [...]string{
	"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
	"NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
	"FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
	"Internal", "Unavailable", "DataLoss", "Unauthenticated",
}

// grpcExit applies kong.response.exit's gRPC rules (send in
// kong/pdk/response.lua) to a response the gateway produces with status,
// headers h and body, and returns the body to send. They hold when the
// response's Content-Type is gRPC's, or when it has none and the request
// is a gRPC call: grpc-status is derived from the HTTP status unless set;
// a body when the response is not gRPC output becomes grpc-message and is
// dropped; else grpc-message defaults to the code's name. The HTTP status
// stays: a gRPC client reads the status of a response with a gRPC
// Content-Type from grpc-status, of any other from the HTTP status.
func grpcExit(s *State, h http.Header, status int, body []byte) []byte {
	ct := h.Get("Content-Type")
	output := strings.HasPrefix(ct, contentTypeGRPC)
	if !output && (ct != "" || !s.request.IsGRPC()) {
		return body
	}
	code := -1
	if h.Get("Grpc-Status") == "" {
		code = grpcCode(status)
		h.Set("Grpc-Status", strconv.Itoa(code))
	}
	if body != nil && !output {
		h.Set("Content-Length", "0")
		h.Set("Grpc-Message", string(body))
		return nil
	}
	if code >= 0 && h.Get("Grpc-Message") == "" {
		h.Set("Grpc-Message", grpcNames[code])
	}
	return body
}
