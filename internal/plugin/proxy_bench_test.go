package plugin_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/schema"
)

// benchPlugin sets a header upstream in access and one on the response in
// header_filter: a small plugin's work.
type benchPlugin struct{}

func (benchPlugin) Access(kong *plugin.PDK) error {
	kong.ServiceRequest.SetHeader("X-Bench", "1")
	return nil
}

func (benchPlugin) HeaderFilter(kong *plugin.PDK) error {
	kong.Response.Header().Set("X-Bench", "1")
	return nil
}

func init() {
	for i := range 5 {
		plugin.Register(plugin.Definition{Name: fmt.Sprintf("bench-%d", i), Priority: 100 + i,
			Schema: plugin.ConfigSchema(plugin.ProtocolsHTTP, []schema.Field{}),
			New:    func(map[string]any) (plugin.Handler, error) { return benchPlugin{}, nil }})
	}
}

// BenchmarkProxyPlugins is a whole request through the proxy over
// loopback with 0, 1 and 5 global plugins: compare with 0 for what the
// plugins cost end to end.
func BenchmarkProxyPlugins(b *testing.B) {
	for _, n := range []int{0, 1, 5} {
		b.Run(fmt.Sprintf("plugins=%d", n), func(b *testing.B) {
			e := plugintest.New(b, []string{"bench-0", "bench-1", "bench-2", "bench-3", "bench-4"})
			e.Route(e.Service(), "/")
			for i := range n {
				e.Plugin(fmt.Sprintf("bench-%d", i), "", "")
			}
			url := e.Server.URL + "/bench"
			req, _ := http.NewRequest("GET", url, nil)
			e.Loop(b, req)
		})
	}
}
