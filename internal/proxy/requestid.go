package proxy

import "math/rand/v2"

// newRequestID returns a request id as Kong's $kong_request_id: 32
// lower-case hex digits (128 random bits). The runtime's per-thread
// ChaCha8 generator is seeded from the OS; ids only need to be unique.
func newRequestID() string {
	const hex = "0123456789abcdef"
	var b [32]byte
	for half := range 2 {
		v := rand.Uint64()
		for i := range 16 {
			b[half*16+i] = hex[v&15]
			v >>= 4
		}
	}
	return string(b[:])
}
