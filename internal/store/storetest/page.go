package storetest

import (
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// pages walks every page of q and returns the ids of each.
func (h *harness) pages(entity string, q store.Query) [][]string {
	h.t.Helper()
	var out [][]string
	for {
		p, err := h.page(entity, q)
		if err != nil {
			h.t.Fatalf("page %s %+v: %v", entity, q, err)
		}
		out = append(out, ids(p.Rows))
		if p.Offset == "" {
			return out
		}
		if len(out) > 1000 {
			h.t.Fatal("paging does not end")
		}
		q.Offset = p.Offset
	}
}

// chunk splits ids into pages of size.
func chunk(ids []string, size int) [][]string {
	out := [][]string{}
	for len(ids) > size {
		out = append(out, ids[:size])
		ids = ids[size:]
	}
	return append(out, ids)
}

// insertConsumers adds n consumers and returns their ids sorted.
func (h *harness) insertConsumers(n int, tags func(i int) string) []string {
	h.t.Helper()
	var out []string
	err := h.write(func(tx *store.Txn) error {
		for i := range n {
			body := fmt.Sprintf(`{"username":"user-%d"`, i)
			if tags != nil {
				body += `,"tags":` + tags(i)
			}
			row, err := tx.Insert(h.ctx, "consumers", obj(h.t, body+"}"))
			if err != nil {
				return err
			}
			out = append(out, row["id"].(string))
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// testPage: pages in id order, sized as asked (100 by default), with an
// offset token on every page but the last, which also holds when the
// rows divide evenly into pages.
func testPage(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	if got := h.pages("consumers", store.Query{}); !cmp.Equal(got, [][]string{{}}, emptyAny) {
		t.Errorf("empty table pages = %v", got)
	}
	all := h.insertConsumers(205, nil)
	tests := []struct {
		name string
		size int
		want [][]string
	}{
		{"default size", 0, chunk(all, 100)},
		{"size 1", 1, chunk(all, 1)},
		{"size 10", 10, chunk(all, 10)},
		{"size divides", 41, chunk(all, 41)},
		{"size of all", 205, [][]string{all}},
		{"size 1000", 1000, [][]string{all}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, h.pages("consumers", store.Query{Size: tt.size})); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("offset is Kong's token", func(t *testing.T) {
		p, err := h.page("consumers", store.Query{Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := base64.RawStdEncoding.EncodeToString([]byte(`["` + all[2] + `"]`))
		if p.Offset != want {
			t.Errorf("offset = %q, want %q", p.Offset, want)
		}
	})
	t.Run("offset of a deleted row", func(t *testing.T) {
		p, err := h.page("consumers", store.Query{Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.del("consumers", all[2]); err != nil {
			t.Fatal(err)
		}
		next, err := h.page("consumers", store.Query{Size: 2, Offset: p.Offset})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all[3:5], ids(next.Rows)); diff != "" {
			t.Errorf("page after deleted row (-want +got):\n%s", diff)
		}
	})
}

// testPageForeign: paging the children of one parent, in id order.
func testPageForeign(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	s1 := h.insert("services", `{"name":"s1","host":"example.com"}`)["id"].(string)
	s2 := h.insert("services", `{"name":"s2","host":"example.com"}`)["id"].(string)
	var of1, of2 []string
	err := h.write(func(tx *store.Txn) error {
		for i := range 30 {
			svc := s1
			if i%3 == 0 {
				svc = s2
			}
			r, err := tx.Insert(h.ctx, "routes", obj(t, fmt.Sprintf(`{"paths":["/%d"],"service":{"id":%q}}`, i, svc)))
			if err != nil {
				return err
			}
			if svc == s1 {
				of1 = append(of1, r["id"].(string))
			} else {
				of2 = append(of2, r["id"].(string))
			}
		}
		_, err := tx.Insert(h.ctx, "routes", obj(t, `{"paths":["/none"]}`))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(of1)
	slices.Sort(of2)
	tests := []struct {
		name  string
		field string
		id    string
		size  int
		want  [][]string
	}{
		{"first service", "service", s1, 7, chunk(of1, 7)},
		{"second service", "service", s2, 5, chunk(of2, 5)},
		{"no children", "service", missingID, 5, [][]string{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.pages("routes", store.Query{Size: tt.size, ForeignField: tt.field, ForeignID: tt.id})
			if diff := cmp.Diff(tt.want, got, emptyAny); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("moved child", func(t *testing.T) {
		if _, err := h.patch("routes", of1[0], `{"service":{"id":"`+s2+`"}}`); err != nil {
			t.Fatal(err)
		}
		want := append([]string{of1[0]}, of2...)
		slices.Sort(want)
		got := ids(h.all("routes", store.Query{ForeignField: "service", ForeignID: s2}))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("routes of s2 (-want +got):\n%s", diff)
		}
		if got := ids(h.all("routes", store.Query{ForeignField: "service", ForeignID: s1})); slices.Contains(got, of1[0]) {
			t.Error("moved route still listed under s1")
		}
	})
}

// testPageInvalidOffset: undecodable tokens are Kong's code 7.
func testPageInvalidOffset(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	h.insertConsumers(3, nil)
	tests := []struct {
		name, token, why string
	}{
		{"not base64", "xyz!", "bad base64 encoding"},
		{"not json", base64.RawStdEncoding.EncodeToString([]byte("nope")), "bad json encoding"},
		{"not a key", base64.RawStdEncoding.EncodeToString([]byte(`{"id":1}`)), "bad json encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.page("consumers", store.Query{Offset: tt.token})
			wantError(t, err, kongError{Code: store.CodeInvalidOffset, Name: "invalid offset",
				Message: "'" + tt.token + "' is not a valid offset: " + tt.why})
		})
	}
}

// testTags: the tags filter keeps rows having all (AND) or any (OR) of
// the tags, in id order, across pages.
func testTags(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	sets := []string{`["a"]`, `["a","b"]`, `["b"]`, `["c","a"]`, `null`, `["b","c","a"]`}
	all := h.insertConsumers(60, func(i int) string { return sets[i%len(sets)] })
	byID := map[string]int{}
	for _, row := range h.all("consumers", store.Query{}) {
		var i int
		fmt.Sscanf(row["username"].(string), "user-%d", &i)
		byID[row["id"].(string)] = i % len(sets)
	}
	pick := func(kinds ...int) []string {
		var out []string
		for _, id := range all {
			if slices.Contains(kinds, byID[id]) {
				out = append(out, id)
			}
		}
		return out
	}
	tests := []struct {
		name string
		tags []string
		any  bool
		want []string
	}{
		{"one tag", []string{"a"}, false, pick(0, 1, 3, 5)},
		{"and", []string{"a", "b"}, false, pick(1, 5)},
		{"and of three", []string{"c", "b", "a"}, false, pick(5)},
		{"or", []string{"b", "c"}, true, pick(1, 2, 3, 5)},
		{"or one", []string{"c"}, true, pick(3, 5)},
		{"unknown tag", []string{"zzz"}, false, nil},
		{"or with unknown", []string{"zzz", "b"}, true, pick(1, 2, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{1, 4, 100} {
				got := h.pages("consumers", store.Query{Size: size, Tags: tt.tags, TagsAny: tt.any})
				if diff := cmp.Diff(chunk(tt.want, size), got, emptyAny); diff != "" {
					t.Errorf("size %d: pages (-want +got):\n%s", size, diff)
				}
			}
		})
	}
}
