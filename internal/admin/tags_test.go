package admin_test

import (
	"sort"
	"testing"
)

func TestTags(t *testing.T) {
	e := newEnv(t)
	s := e.must(201, "POST", "/services", map[string]any{"name": "s", "host": "x.com", "tags": []string{"a", "b"}})
	c := e.must(201, "POST", "/consumers", map[string]any{"username": "c", "tags": []string{"b"}})
	e.must(201, "POST", "/consumers", map[string]any{"username": "untagged"})
	all := e.must(200, "GET", "/tags", nil)
	type row struct{ tag, entity, id string }
	var got []row
	for _, d := range all["data"].([]any) {
		m := d.(map[string]any)
		got = append(got, row{m["tag"].(string), m["entity_name"].(string), m["entity_id"].(string)})
	}
	want := []row{{"a", "services", s["id"].(string)}, {"b", "services", s["id"].(string)}, {"b", "consumers", c["id"].(string)}}
	sort.Slice(want, func(i, j int) bool {
		if want[i].id != want[j].id {
			return want[i].id < want[j].id
		}
		return want[i].tag < want[j].tag
	})
	if len(got) != len(want) {
		t.Fatalf("tags = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tags[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// paging through /tags one row at a time visits every row once
	next := "/tags?size=1"
	n := 0
	for next != "" {
		p := e.must(200, "GET", next, nil)
		n += len(p["data"].([]any))
		next, _ = p["next"].(string)
		if n > 5 {
			t.Fatal("paging does not end")
		}
	}
	if n != 3 {
		t.Errorf("paged %d rows", n)
	}
	b := e.must(200, "GET", "/tags/b", nil)
	if len(b["data"].([]any)) != 2 {
		t.Errorf("/tags/b = %v", b)
	}
	b1 := e.must(200, "GET", "/tags/b?size=1", nil)
	if want := "/tags/b?offset=" + escape(b1["offset"].(string)); b1["next"] != want {
		t.Errorf("next = %v, want %v", b1["next"], want)
	}
	b2 := e.must(200, "GET", b1["next"].(string), nil)
	if len(b2["data"].([]any)) != 1 || b2["next"] != nil {
		t.Errorf("second page = %v", b2)
	}
	check(t, e.req("GET", "/tags/nope", nil), 200, `{"data":[],"next":null}`)
	check(t, e.req("GET", "/tags/a%2Cb", nil), 400,
		"{\"code\":10,\"name\":\"invalid unique tag\",\"message\":\"invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences\"}")
	check(t, e.req("GET", "/tags?offset=%25", nil), 400, `{"code":7,"name":"invalid offset","message":"'%' is not a valid offset: bad base64 encoding"}`)
	check(t, e.req("GET", "/tags?size=0", nil), 400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`)
	readOnly := `{"code":2,"name":"schema violation","message":"schema violation (tags: does not support insert/upsert/update/delete operations)","fields":{"tags":"does not support insert/upsert/update/delete operations"}}`
	check(t, e.req("POST", "/tags", map[string]any{"tag": "x"}), 400, readOnly)
	check(t, e.req("DELETE", "/tags/a", nil), 400, readOnly)
}
