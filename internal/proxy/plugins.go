package proxy

// Plugins is the seam through which the plugin chain runs. The runloop
// calls it in Kong's phase order, with Kong's short-circuit rules:
//
//   - Rewrite runs before routing (global plugins).
//   - Access runs after routing; State.Exit or State.Error there ends the
//     phase and no upstream is contacted.
//   - HeaderFilter runs once the response status and headers are known,
//     before the gateway's own headers are added; the response's headers
//     and status can still change.
//   - BodyFilter sees each chunk of the response body (eof on the last
//     call, whose chunk may be empty) and returns the chunk to send.
//   - Log runs once the response was written and flushed, before the
//     handler returns (an HTTP/1.1 chunked body ends only then): it must
//     be quick, and hand slow work such as shipping logs to a queue.
//
// HeaderFilter, BodyFilter and Log run for every request that reached the
// runloop, including those answered by the gateway itself.
type Plugins interface {
	Rewrite(s *State)
	Access(s *State)
	HeaderFilter(s *State)
	BodyFilter(s *State, chunk []byte, eof bool) []byte
	Log(s *State)
}
