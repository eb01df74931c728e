package plugin

import (
	"fmt"
	"testing"
)

// TestLookupPrecedence removes the most specific instance one at a time
// and checks the next one in Kong's order applies.
func TestLookupPrecedence(t *testing.T) {
	scopes := []struct{ name, route, service, consumer string }{
		{"route+service+consumer", "r", "s", "c"},
		{"route+consumer", "r", "", "c"},
		{"service+consumer", "", "s", "c"},
		{"route+service", "r", "s", ""},
		{"consumer", "", "", "c"},
		{"route", "r", "", ""},
		{"service", "", "s", ""},
		{"global", "", "", ""},
	}
	for i := range scopes {
		var instances []*Instance
		for _, sc := range scopes[i:] {
			instances = append(instances, &Instance{ID: sc.name, Name: "p", RouteID: sc.route, ServiceID: sc.service, ConsumerID: sc.consumer})
			if sc.name == "global" {
				continue
			}
			// Instances on other entities never apply.
			instances = append(instances, &Instance{ID: "other " + sc.name, Name: "p",
				RouteID: other(sc.route), ServiceID: other(sc.service), ConsumerID: other(sc.consumer)})
		}
		idx := newIndex(instances)
		if got := idx.plugins[0].lookup("r", "s", "c"); got == nil || got.ID != scopes[i].name {
			t.Errorf("with %s and less specific ones: got %v", scopes[i].name, got)
		}
	}
	idx := newIndex([]*Instance{{ID: "consumer", Name: "p", ConsumerID: "c"}, {ID: "route", Name: "p", RouteID: "r"}})
	for _, tt := range []struct{ route, consumer, want string }{{"r", "", "route"}, {"r", "c", "consumer"}, {"x", "", "<nil>"}} {
		got := fmt.Sprint(idx.plugins[0].lookup(tt.route, "s", tt.consumer))
		if inst := idx.plugins[0].lookup(tt.route, "s", tt.consumer); inst != nil {
			got = inst.ID
		}
		if got != tt.want {
			t.Errorf("route %q consumer %q: %s, want %s", tt.route, tt.consumer, got, tt.want)
		}
	}
}

func other(id string) string {
	if id == "" {
		return ""
	}
	return id + "-other"
}

func TestOrder(t *testing.T) {
	idx := newIndex([]*Instance{
		{ID: "1", Name: "acl", Priority: 950}, {ID: "2", Name: "cors", Priority: 2000},
		{ID: "3", Name: "b", Priority: 10}, {ID: "4", Name: "c", Priority: 10}, {ID: "5", Name: "a", Priority: 10},
		{ID: "6", Name: "neg", Priority: -1000},
	})
	var got string
	for _, e := range idx.plugins {
		got += e.name + " "
	}
	if want := "cors acl c b a neg "; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
}
