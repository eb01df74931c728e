package declarative

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"

	"github.com/silverback-gw/silverback/internal/entities"
)

// EmptyHash is the configuration hash of a configuration without entities
// (Kong's DECLARATIVE_EMPTY_CONFIG_HASH), as /status reports it.
const EmptyHash = "00000000000000000000000000000000"

// Config is a parsed and validated declarative configuration, flattened:
// every entity is a top-level row, nested entities carry their parent's
// foreign key.
type Config struct {
	// Entities holds the validated rows by entity (table) name, in the
	// store's row shape: every field present (null when unset), defaults
	// and ids filled, foreign keys as {"id": …}, transient fields dropped
	// (certificates' nested snis are rows of "snis"). Rows are listed in
	// document order; iterate the catalog (parents first) to write them.
	Entities map[string][]map[string]any
	// Hash is the md5 hex of the text (Parse) or of the document's
	// canonical JSON encoding (ParseValue); EmptyHash when there are no
	// entities.
	Hash string
	// FormatVersion is the _format_version as written ("1.1", "2.1" or
	// "3.0"); 1.1 and 2.1 files were migrated to 3.0 while parsing.
	FormatVersion string
	// Transform is _transform: whether entity transformations ran.
	Transform bool
}

// Len returns the number of rows.
func (c *Config) Len() int {
	n := 0
	for _, rows := range c.Entities {
		n += len(rows)
	}
	return n
}

// Parse reads a declarative configuration text, JSON or YAML (JSON is
// tried first, as Kong does for /config and inline configurations),
// validates it against the catalog's entities and returns it flattened.
// The error is always an *Error: a parse failure or Kong's code 14 tree.
func Parse(c *entities.Catalog, data []byte) (*Config, error) {
	doc, why := decode(data)
	if doc == nil {
		return nil, parseError(why)
	}
	sum := md5.Sum(data)
	return parse(c, doc, hex.EncodeToString(sum[:]))
}

// ParseValue is Parse for a document already decoded from JSON (the body
// of POST /config when its top level has _format_version). Numbers may be
// float64 or json.Number. doc is not modified. The hash is the md5 of the
// document's JSON encoding with sorted keys.
func ParseValue(c *entities.Catalog, doc map[string]any) (*Config, error) {
	if doc == nil {
		return nil, parseError("expected an object")
	}
	canonical, err := json.Marshal(doc)
	if err != nil {
		return nil, parseError(err.Error())
	}
	sum := md5.Sum(canonical)
	return parse(c, doc, hex.EncodeToString(sum[:]))
}

func parse(c *entities.Catalog, doc map[string]any, hash string) (*Config, error) {
	cfg, err := newParser(c).run(doc)
	if err != nil {
		return nil, err
	}
	cfg.Hash = hash
	if cfg.Len() == 0 {
		cfg.Hash = EmptyHash
	}
	return cfg, nil
}
