package admin

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// targetRoutes adds Kong's upstream targets endpoints
// (kong/api/routes/upstreams.lua, targets.lua, kong/db/dao/targets.lua):
// targets exist only under their upstream, list newest first with numeric
// offsets, are addressed by id or by their stored host:port, and PUT and
// PATCH update existing ones only. /targets itself is disabled.
func (h *Handler) targetRoutes(rr *router) {
	targets, ok1 := h.entity("targets")
	upstreams, ok2 := h.entity("upstreams")
	if !ok1 || !ok2 {
		return
	}
	rr.disable("/targets")
	rr.disable("/targets/{targets}")
	rr.disable("/targets/{targets}/upstream")
	te := &targetEndpoints{h: h, targets: targets, upstreams: upstreams,
		fe: foreignEndpoint{h: h, child: targets, field: "upstream", parent: upstreams}}
	base := "/upstreams/{upstreams}/targets"
	rr.handle(base, "GET", te.list)
	rr.handle(base+"/all", "GET", te.listAll)
	one := base + "/{targets}"
	rr.handle(one, "GET", te.get)
	rr.handle(one, "PUT", te.update)
	rr.handle(one, "PATCH", te.update)
	rr.handle(one, "DELETE", te.delete)
	rr.handle(one+"/healthy", "PUT", te.setHealth(true))
	rr.handle(one+"/unhealthy", "PUT", te.setHealth(false))
	rr.handle(one+"/{address}/healthy", "PUT", te.setHealth(true))
	rr.handle(one+"/{address}/unhealthy", "PUT", te.setHealth(false))
	rr.handle("/upstreams/{upstreams}/health", "GET", te.health)
}

type targetEndpoints struct {
	h                  *Handler
	targets, upstreams *schema.Entity
	fe                 foreignEndpoint
}

// upstreamTargets returns the upstream of the path (nil when missing) and
// all its targets, oldest first (Kong's select_by_upstream_raw order).
func (te *targetEndpoints) upstreamTargets(ctx context.Context, c *call, tx *store.Txn) (store.Row, []store.Row, error) {
	up, _, err := lookup(ctx, tx, te.upstreams, c.params["upstreams"])
	if err != nil || up == nil {
		return nil, nil, err
	}
	var rows []store.Row
	err = tx.Each(ctx, te.targets.Name, store.Query{ForeignField: "upstream", ForeignID: up["id"].(string)},
		func(r store.Row) error {
			rows = append(rows, r)
			return nil
		})
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := timestamp(rows[i]["created_at"]), timestamp(rows[j]["created_at"])
		if a != b {
			return a < b
		}
		return rows[i]["id"].(string) < rows[j]["id"].(string)
	})
	return up, rows, err
}

func timestamp(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

// activeTargets is Kong's page_for_upstream list: newest first, one entry
// per target address.
func activeTargets(rows []store.Row) []store.Row {
	seen := map[string]bool{}
	var out []store.Row
	for i := len(rows) - 1; i >= 0; i-- {
		t, _ := rows[i]["target"].(string)
		if !seen[t] {
			seen[t] = true
			out = append(out, rows[i])
		}
	}
	return out
}

// targetPage reads size and the numeric offset of target lists; tags are
// checked as for any collection and then ignored.
func (c *call) targetPage() (size, offset int, err error) {
	size = defaultPageSize
	if tags, ok := c.queryArg("tags"); ok {
		if tags == "" {
			return 0, 0, store.InvalidOptions("tags", "cannot be null")
		}
		if _, _, problem := parseTagFilter(tags); problem != "" {
			return 0, 0, store.InvalidOptions("tags", problem)
		}
	}
	if vs, ok := c.query["size"]; ok {
		n, ok := luaToNumber(vs[0])
		if len(vs) != 1 || !ok {
			return 0, 0, store.InvalidSize("size must be a number")
		}
		f := min(numberValue(n), maxPageSize) // Kong caps target pages at 1000
		if f != math.Floor(f) || f < 1 {
			return 0, 0, store.InvalidSize("size must be an integer between 1 and 1000")
		}
		size = int(f)
	}
	if tok, ok := c.queryArg("offset"); ok {
		n, ok := luaToNumber(tok)
		i, isInt := n.(int64)
		if !ok || !isInt || i < 0 {
			return 0, 0, store.InvalidOffset(tok, "must be a number")
		}
		offset = int(i)
	}
	return size, offset, nil
}

// slicePage cuts one numeric-offset page out of list.
func slicePage(list []store.Row, size, offset int) ([]store.Row, string) {
	if offset > len(list) {
		offset = len(list)
	}
	end := min(offset+size, len(list))
	next := ""
	if len(list) > end {
		next = strconv.Itoa(end)
	}
	return list[offset:end], next
}

// list is GET /upstreams/{u}/targets.
func (te *targetEndpoints) list(c *call) error {
	up, page, next, err := te.page(c)
	if err != nil {
		return err
	}
	if up == nil {
		return errNotFound
	}
	return c.ok(pageBody(page, next, "/upstreams/"+c.params["upstreams"]+"/targets?offset="+escapeURI(next)))
}

// page returns the upstream and one page of its active targets.
func (te *targetEndpoints) page(c *call) (store.Row, []store.Row, string, error) {
	var up store.Row
	var rows []store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		var err error
		up, rows, err = te.upstreamTargets(ctx, c, tx)
		return err
	})
	if err != nil || up == nil {
		return nil, nil, "", err
	}
	size, offset, err := c.targetPage()
	if err != nil {
		return nil, nil, "", err
	}
	page, next := slicePage(activeTargets(rows), size, offset)
	return up, page, next, nil
}

// listAll is GET /upstreams/{u}/targets/all: every target row, paged by
// id as any nested collection.
func (te *targetEndpoints) listAll(c *call) error {
	var up store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		var err error
		up, _, err = lookup(ctx, tx, te.upstreams, c.params["upstreams"])
		return err
	})
	if err != nil {
		return err
	}
	if up == nil {
		return errNotFound
	}
	pa, err := c.pageArgs(te.targets)
	if err != nil {
		return err
	}
	q := pa.query
	q.Tags, q.TagsAny = nil, false
	q.ForeignField, q.ForeignID = "upstream", up["id"].(string)
	var p store.Page
	err = c.view(func(ctx context.Context, tx *store.Txn) error {
		p, err = tx.Page(ctx, te.targets.Name, q)
		return err
	})
	if err != nil {
		return err
	}
	return c.ok(pageBody(p.Rows, p.Offset, "/upstreams/"+c.params["upstreams"]+"/targets/all?offset="+escapeURI(p.Offset)))
}

// find returns the target the path addresses within its upstream: by id,
// or by the stored host:port compared verbatim, newest first. Both are
// nil when the upstream or the target is missing.
func (te *targetEndpoints) find(ctx context.Context, c *call, tx *store.Txn) (store.Row, store.Row, error) {
	up, rows, err := te.upstreamTargets(ctx, c, tx)
	if err != nil || up == nil {
		return nil, nil, err
	}
	key := c.param("targets")
	if schema.IsUUID(key) {
		t, err := tx.Get(ctx, te.targets.Name, lowerASCII(key))
		if err != nil || t == nil || fkID(t, "upstream") != up["id"] {
			return up, nil, err
		}
		return up, t, nil
	}
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i]["target"] == key {
			return up, rows[i], nil
		}
	}
	return up, nil, nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// get is GET /upstreams/{u}/targets/{t}.
func (te *targetEndpoints) get(c *call) error {
	var t store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		var err error
		_, t, err = te.find(ctx, c, tx)
		return err
	})
	if err != nil {
		return err
	}
	if t == nil {
		return errNotFound
	}
	return c.ok(t)
}

// update is PUT and PATCH /upstreams/{u}/targets/{t}: both update an
// existing target.
func (te *targetEndpoints) update(c *call) error {
	var k entityKey
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		_, t, err := te.find(ctx, c, tx)
		if err != nil {
			return err
		}
		if t == nil {
			return errNotFound
		}
		k = idKey(t["id"].(string))
		return nil
	})
	if err != nil {
		return err
	}
	return c.update(te.targets, k, nil)
}

// delete is DELETE /upstreams/{u}/targets/{t}: 404 when missing.
func (te *targetEndpoints) delete(c *call) error {
	err := c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		_, t, err := te.find(ctx, c, tx)
		if err != nil {
			return err
		}
		if t == nil {
			return errNotFound
		}
		return w.Delete(ctx, te.targets, t, idKey(t["id"].(string)))
	})
	if err != nil {
		return err
	}
	c.reply(http.StatusNoContent, nil)
	return nil
}

// setHealth is PUT .../targets/{t}[/{address}]/healthy|unhealthy: 204, or
// the balancer's refusal as a 400 message. Without a balancer it is accepted.
func (te *targetEndpoints) setHealth(healthy bool) handlerFunc {
	return func(c *call) error {
		var up, t store.Row
		err := c.view(func(ctx context.Context, tx *store.Txn) error {
			var err error
			up, t, err = te.find(ctx, c, tx)
			return err
		})
		if err != nil {
			return err
		}
		if up == nil || t == nil {
			return errNotFound
		}
		if hl := te.h.opts.Health; hl != nil {
			err := hl.SetTargetHealth(up["id"].(string), t["target"].(string), c.param("address"), healthy)
			if err != nil {
				return plainError(http.StatusBadRequest, err.Error())
			}
		}
		c.reply(http.StatusNoContent, nil)
		return nil
	}
}

// health is GET /upstreams/{u}/health[?balancer_health=1].
func (te *targetEndpoints) health(c *call) error {
	var up store.Row
	var rows []store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		var err error
		up, rows, err = te.upstreamTargets(ctx, c, tx)
		return err
	})
	if err != nil {
		return err
	}
	if up == nil {
		return errNotFound
	}
	id := up["id"].(string)
	nodeID := te.h.opts.Node.NodeID
	if v, _ := c.queryArg("balancer_health"); v == "1" {
		st, ok := BalancerStatus{}, false
		if te.h.opts.Health != nil {
			st, ok = te.h.opts.Health.BalancerHealth(id)
		}
		if !ok {
			st = staticBalancerStatus(activeTargets(rows))
		}
		data := map[string]any{"id": id, "health": st.Health, "balancer_health": st.BalancerHealth, "details": st.Details}
		return c.ok(map[string]any{"data": data, "next": nil, "node_id": nodeID})
	}
	size, offset, err := c.targetPage()
	if err != nil {
		return err
	}
	page, next := slicePage(activeTargets(rows), size, offset)
	var info map[string]TargetStatus
	haveInfo := false
	if te.h.opts.Health != nil {
		info, haveInfo = te.h.opts.Health.TargetHealth(id)
	}
	out := make([]store.Row, len(page))
	for i, t := range page {
		r := copyMap(t)
		r["health"], r["data"] = targetHealth(info, haveInfo, t)
		out[i] = r
	}
	body := pageBody(out, next, "/upstreams/"+c.params["upstreams"]+"/health?offset="+escapeURI(next))
	body["node_id"] = nodeID
	return c.ok(body)
}
