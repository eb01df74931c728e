package declarative

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decode reads a declarative text into the JSON data model (map[string]any,
// []any, string, bool, nil, json.Number from JSON, int64 or float64 from
// YAML). Like Kong without a file name, it tries JSON first and YAML next;
// the result must be an object. The message of a failure is the text after
// "failed parsing declarative configuration: ".
func decode(data []byte) (doc map[string]any, why string) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if v, ok := decodeJSON(data); ok {
		if m, isMap := v.(map[string]any); isMap {
			return m, ""
		}
	}
	v, err := decodeYAML(data)
	if err != nil {
		return nil, strings.TrimPrefix(err.Error(), "yaml: ")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "expected an object"
	}
	return m, ""
}

// decodeJSON decodes data when it is exactly one JSON value.
func decodeJSON(data []byte) (any, bool) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(t))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

// decodeYAML decodes the first YAML document of data.
func decodeYAML(data []byte) (v any, err error) {
	defer func() {
		// yaml.v3 signals errors by panicking internally and recovers
		// them itself; should one escape (a parser bug), a malformed
		// document must stay a parse failure, not crash the caller.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%v", r)
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if root.Kind == 0 {
		return nil, nil // empty document
	}
	c := &yamlConverter{anchors: map[*yaml.Node]converted{}, active: map[*yaml.Node]bool{}}
	out, size, err := c.convert(&root)
	if err != nil {
		return nil, err
	}
	// Aliases are converted once and shared, but what reads the result
	// walks every path: refuse documents that expand far beyond their size
	// (billion laughs).
	if limit := 10*len(data) + 100_000; size > limit {
		return nil, errors.New("document contains excessive aliasing")
	}
	return out, nil
}

// converted is a node's value and its size once aliases are expanded.
type converted struct {
	v    any
	size int
}

// yamlConverter turns yaml.v3 nodes into values, resolving scalars as
// Kong's YAML parser (lyaml) does where the two differ: timestamps stay
// strings and yes/no/on/off are booleans (YAML 1.1). Anchored nodes are
// converted once: their aliases share the value.
type yamlConverter struct {
	anchors map[*yaml.Node]converted
	active  map[*yaml.Node]bool
}

// convert returns the value of n and its expanded size in nodes.
func (c *yamlConverter) convert(n *yaml.Node) (any, int, error) {
	if n.Anchor != "" {
		if r, ok := c.anchors[n]; ok {
			return r.v, r.size, nil
		}
		if c.active[n] {
			return nil, 0, fmt.Errorf("line %d: anchor '%s' value contains itself", n.Line, n.Anchor)
		}
		c.active[n] = true
		defer delete(c.active, n)
	}
	var (
		v    any
		size = 1
		err  error
	)
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			v, size, err = c.convert(n.Content[0])
		}
	case yaml.AliasNode:
		v, size, err = c.convert(n.Alias)
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, e := range n.Content {
			var s int
			if list[i], s, err = c.convert(e); err != nil {
				return nil, 0, err
			}
			size = saturatingAdd(size, s)
		}
		v = list
	case yaml.MappingNode:
		v, size, err = c.mapping(n)
	case yaml.ScalarNode:
		v, err = scalar(n)
	default:
		err = fmt.Errorf("line %d: unexpected node", n.Line)
	}
	if err != nil {
		return nil, 0, err
	}
	if n.Anchor != "" {
		c.anchors[n] = converted{v: v, size: size}
	}
	return v, size, nil
}

// mapping converts a mapping; merge keys (<<) add the merged mappings'
// entries that the mapping does not set itself, earlier merges first.
func (c *yamlConverter) mapping(n *yaml.Node) (map[string]any, int, error) {
	m := make(map[string]any, len(n.Content)/2)
	size := 1
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		key, err := mapKey(k)
		if err != nil {
			return nil, 0, err
		}
		var s int
		if m[key], s, err = c.convert(val); err != nil {
			return nil, 0, err
		}
		size = saturatingAdd(size, s)
	}
	for _, mn := range merges {
		sources := []*yaml.Node{mn}
		if deref(mn).Kind == yaml.SequenceNode {
			sources = deref(mn).Content
		}
		for _, src := range sources {
			v, s, err := c.convert(src)
			if err != nil {
				return nil, 0, err
			}
			sm, ok := v.(map[string]any)
			if !ok {
				return nil, 0, fmt.Errorf("line %d: map merge requires map or sequence of maps as the value", mn.Line)
			}
			size = saturatingAdd(size, s)
			for k, x := range sm {
				if _, set := m[k]; !set {
					m[k] = x
				}
			}
		}
	}
	return m, size, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// mapKey returns a mapping key as a string: a Lua table key is the value
// as written for scalars; collections cannot be keys of an entity.
func mapKey(k *yaml.Node) (string, error) {
	k = deref(k)
	if k.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
	}
	return k.Value, nil
}

// yaml11Bools are the YAML 1.1 booleans lyaml resolves that YAML 1.2 reads as strings.
var yaml11Bools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
	case "!!int":
		plain := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f, nil
		}
	case "!!float":
		switch strings.ToLower(strings.TrimPrefix(n.Value, "+")) {
		case ".inf":
			return math.Inf(1), nil
		case "-.inf":
			return math.Inf(-1), nil
		case ".nan":
			return math.NaN(), nil
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f, nil
		}
	case "!!str":
		const quoted = yaml.TaggedStyle | yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
		if b, ok := yaml11Bools[n.Value]; ok && n.Style&quoted == 0 {
			return b, nil
		}
		return n.Value, nil
	case "!!timestamp", "!!binary", "!!merge":
		return n.Value, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func saturatingAdd(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}
