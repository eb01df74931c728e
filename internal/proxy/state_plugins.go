package proxy

import "github.com/silverback-gw/silverback/internal/runtime"

// Snapshot returns the runtime snapshot the request runs on, nil before
// the first configuration was built. A request keeps its snapshot to the
// end, so the Plugins implementation reads its plugin instances there.
func (s *State) Snapshot() *runtime.Snapshot { return s.snap }

// PluginState returns the value the Plugins implementation attached to
// the request with SetPluginState; it is nil when a request starts.
func (s *State) PluginState() any { return s.pluginState }

// SetPluginState attaches the Plugins implementation's per-request value
// (the plugins collected for the request, for instance).
func (s *State) SetPluginState(v any) { s.pluginState = v }

// Unexpected ends the request as an uncaught error in a plugin does in
// Kong: a 500 "An unexpected error occurred" whose source is SourceError.
func (s *State) Unexpected() {
	s.Error(500, msgUnexpected)
	s.unexpected = true
}
