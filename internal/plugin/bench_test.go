package plugin

import (
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// nop is a handler with access, header_filter and body_filter phases that
// do nothing: what the benchmarks measure is the runtime around them.
type nop struct{}

func (nop) Access(*PDK) error                              { return nil }
func (nop) HeaderFilter(*PDK) error                        { return nil }
func (nop) BodyFilter(_ *PDK, chunk []byte, _ bool) []byte { return chunk }

// BenchmarkIterator runs every phase of one request with 0, 1 and 5
// global plugins: the cost the plugin runtime adds to a request.
func BenchmarkIterator(b *testing.B) {
	for _, n := range []int{0, 1, 5} {
		b.Run(fmt.Sprintf("plugins=%d", n), func(b *testing.B) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			r := NewRuntime(&Set{byName: map[string]*Definition{}}, log)
			defer r.Close()
			var instances []*Instance
			for i := range n {
				instances = append(instances, &Instance{ID: fmt.Sprint(i), Name: fmt.Sprintf("p%d", i), Priority: i,
					Handler: nop{}, log: log, access: nop{}, headerFilter: nop{}, bodyFilter: nop{}})
			}
			idx := newIndex(instances)
			s := &proxy.State{}
			chunk := []byte("body")
			b.ReportAllocs()
			for b.Loop() {
				r.start(s, idx)
				r.Rewrite(s)
				r.Access(s)
				r.HeaderFilter(s)
				r.BodyFilter(s, chunk, false)
				r.BodyFilter(s, nil, true)
				r.Log(s)
			}
		})
	}
}

// BenchmarkCompile builds the index of 1,000 instances scoped to routes.
func BenchmarkCompile(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	def := &Definition{Name: "p", Priority: 1, New: func(map[string]any) (Handler, error) { return nop{}, nil }}
	r := NewRuntime(&Set{byName: map[string]*Definition{"p": def}}, log)
	defer r.Close()
	var rows []*entities.Plugin
	for i := range 1000 {
		rows = append(rows, &entities.Plugin{ID: fmt.Sprint(i), Name: "p", RouteID: fmt.Sprint("r", i), Enabled: true})
	}
	b.ReportAllocs()
	for b.Loop() {
		r.built = nil // build every handler again
		r.Compile(rows)
	}
}
