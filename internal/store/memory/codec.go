package memory

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// A record is a row encoded in a string, compact and immutable: the row's
// id and cache key, each a uvarint length and the bytes, then one entry per
// field of the row. An entry is the field's code (its position in the
// entity's fields plus one, or 0 followed by the name for a field the
// entity does not declare), a tag, and the tag's payload:
//
//	tagNull, tagFalse, tagTrue, tagID  none (tagID: the record's id)
//	tagInt                             a varint (int64)
//	tagString                          a uvarint length and the bytes
//	tagRef                             as tagString: the id of {"id": id}
//	tagJSON                            as tagString: rowjson text
//
// Indexes take their keys from records as substrings (ids, cache keys,
// unique strings, foreign ids), and decoded rows share the strings of the
// record: a record is never modified.
const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagID
	tagInt
	tagString
	tagRef
	tagJSON
)

// codec encodes and decodes the records of one entity.
type codec struct {
	fields []string
	codes  map[string]byte
}

func newCodec(e *schema.Entity) *codec {
	c := &codec{codes: map[string]byte{}}
	for _, f := range e.Fields {
		if len(c.fields) == math.MaxUint8 {
			break // further fields are written by name
		}
		c.fields = append(c.fields, f.Name())
		c.codes[f.Name()] = byte(len(c.fields))
	}
	return c
}

// encoder holds the buffers of a transaction's encodings.
type encoder struct {
	buf, scratch []byte
}

// encode returns the record of row.
func (c *codec) encode(e *encoder, id, cacheKey string, row store.Row) (string, error) {
	b := appendString(e.buf[:0], id)
	b = appendString(b, cacheKey)
	for k, v := range row {
		code := c.codes[k]
		b = append(b, code)
		if code == 0 {
			b = appendString(b, k)
		}
		switch x := v.(type) {
		case nil:
			b = append(b, tagNull)
		case bool:
			b = append(b, tagFalse)
			if x {
				b[len(b)-1] = tagTrue
			}
		case int64:
			b = binary.AppendVarint(append(b, tagInt), x)
		case string:
			if k == "id" && x == id {
				b = append(b, tagID)
			} else {
				b = appendString(append(b, tagString), x)
			}
		default:
			if ref, ok := x.(map[string]any); ok && len(ref) == 1 {
				if s, ok := ref["id"].(string); ok {
					b = appendString(append(b, tagRef), s)
					continue
				}
			}
			var err error
			if e.scratch, err = rowjson.Append(e.scratch[:0], v); err != nil {
				e.buf = b
				return "", fmt.Errorf("field %s: %w", k, err)
			}
			b = binary.AppendUvarint(append(b, tagJSON), uint64(len(e.scratch)))
			b = append(b, e.scratch...)
		}
	}
	e.buf = b
	return string(b), nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// readString reads a length and the bytes at p, returning them as a
// substring and the position after them.
func readString(rec string, p int) (string, int) {
	n, p := readUvarint(rec, p)
	return rec[p : p+int(n)], p + int(n)
}

func readUvarint(rec string, p int) (uint64, int) {
	var x uint64
	for shift := 0; ; shift += 7 {
		c := rec[p]
		p++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, p
		}
	}
}

func readVarint(rec string, p int) (int64, int) {
	u, p := readUvarint(rec, p)
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x, p
}

// header returns a record's id and cache key and where its entries start.
func header(rec string) (id, cacheKey string, p int) {
	id, p = readString(rec, 0)
	cacheKey, p = readString(rec, p)
	return id, cacheKey, p
}

// recordID returns a record's id.
func recordID(rec string) string {
	id, _ := readString(rec, 0)
	return id
}

// decode returns the row of a record; dec decodes tagJSON values.
func (c *codec) decode(dec *rowjson.Decoder, rec string) (store.Row, error) {
	id, _, p := header(rec)
	row := make(store.Row, len(c.fields))
	for p < len(rec) {
		var name string
		if name, p = c.name(rec, p); p < 0 {
			return nil, fmt.Errorf("bad field code")
		}
		var v any
		var err error
		if v, p, err = value(dec, rec, p, id); err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		row[name] = v
	}
	return row, nil
}

// name reads the field name of the entry at p; -1 for an unknown code.
func (c *codec) name(rec string, p int) (string, int) {
	code := rec[p]
	p++
	if code == 0 {
		return readString(rec, p)
	}
	if int(code) > len(c.fields) {
		return "", -1
	}
	return c.fields[code-1], p
}

// value decodes the value at p, the tag of an entry, returning the
// position after it.
func value(dec *rowjson.Decoder, rec string, p int, id string) (any, int, error) {
	tag := rec[p]
	p++
	switch tag {
	case tagNull:
		return nil, p, nil
	case tagFalse:
		return false, p, nil
	case tagTrue:
		return true, p, nil
	case tagID:
		return id, p, nil
	case tagInt:
		n, p := readVarint(rec, p)
		return n, p, nil
	case tagString:
		s, p := readString(rec, p)
		return s, p, nil
	case tagRef:
		s, p := readString(rec, p)
		return map[string]any{"id": s}, p, nil
	case tagJSON:
		s, p := readString(rec, p)
		v, err := dec.DecodeString(s)
		return v, p, err
	}
	return nil, p, fmt.Errorf("bad tag %d", tag)
}

// skip returns the position after the value at p.
func skip(rec string, p int) int {
	tag := rec[p]
	p++
	switch tag {
	case tagInt:
		_, p = readUvarint(rec, p)
	case tagString, tagRef, tagJSON:
		_, p = readString(rec, p)
	}
	return p
}

// field returns the value of the named field of a record without decoding
// the others, nil when absent; strings and foreign ids are substrings of
// the record.
func (c *codec) field(dec *rowjson.Decoder, rec, name string) any {
	id, _, p := header(rec)
	for p < len(rec) {
		var n string
		if n, p = c.name(rec, p); p < 0 {
			return nil
		}
		if n != name {
			p = skip(rec, p)
			continue
		}
		v, _, err := value(dec, rec, p, id)
		if err != nil {
			return nil
		}
		return v
	}
	return nil
}
