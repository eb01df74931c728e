package requesttransformer

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// transformJSON transforms a JSON body. A body that is not JSON is left
// alone; an empty one is the empty object. Added values are strings.
func (h *handler) transformJSON(body []byte, env *env) ([]byte, bool, error) {
	var doc any = map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, false, nil
		}
	}
	var args map[string]any
	switch x := doc.(type) {
	case map[string]any:
		args = x
	case []any:
		// Lua sets and reads the names beside the array, which cjson
		// then leaves out: the array is re-encoded as is.
		args = map[string]any{}
	default:
		if err := h.scalarJSON(doc); err != nil {
			return nil, false, err
		}
		return nil, false, nil
	}
	changed, err := h.body.apply(args, env, len(body) == 0, isTruthy)
	if err != nil || !changed {
		return nil, false, err
	}
	out, err := encodeJSON(doc)
	return out, err == nil, err
}

// scalarJSON is Kong's failure on a body that is a JSON string, number,
// boolean or null: Lua can read names of a string but neither write them
// nor index the others.
func (h *handler) scalarJSON(doc any) error {
	luaType := "userdata" // cjson.null
	switch doc.(type) {
	case string:
		luaType = "string"
	case float64:
		luaType = "number"
	case bool:
		luaType = "boolean"
	}
	writes := len(h.body.remove)+len(h.body.add)+len(h.body.append) > 0
	reads := len(h.body.rename)+len(h.body.replace) > 0
	if writes || reads && luaType != "string" {
		return fmt.Errorf("attempt to index local 'parameters' (a %s value)", luaType)
	}
	return nil
}

// nextIndex is where Lua's table.insert puts a value into a JSON object:
// the position after its keys "1", "2", ...
func nextIndex(m map[string]any) string {
	n := 1
	for {
		k := strconv.Itoa(n)
		if _, ok := m[k]; !ok {
			return k
		}
		n++
	}
}
