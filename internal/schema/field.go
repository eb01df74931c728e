package schema

import (
	"fmt"
	"regexp"
)

// Type is the type of a field's value, named as Kong names it.
type Type int

// Field types, as Kong's schema language has them.
const (
	String Type = iota + 1
	Integer
	Number
	Boolean
	Array
	Set
	Map
	Record
	Foreign
)

var typeNames = map[Type]string{
	String: "string", Integer: "integer", Number: "number", Boolean: "boolean",
	Array: "array", Set: "set", Map: "map", Record: "record", Foreign: "foreign",
}

// String returns Kong's name of the type.
func (t Type) String() string { return typeNames[t] }

// Field declares one field of an entity or record. Build it with the type
// constructors (Str, Int, ...) and chain modifiers; every modifier returns a
// modified copy.
type Field struct {
	name        string
	typ         Type
	required    bool
	def         any
	hasDefault  bool
	auto        bool
	unique      bool
	immutable   bool
	indexed     bool
	uuid        bool
	timestamp   bool
	description string
	// referenceable fields may hold a vault reference; kept for /schemas.
	referenceable bool
	// lenMin is the least length of strings, arrays, sets and maps; strings
	// have an implicit minimum of 1 unless set (Kong's rule).
	lenMin, lenMax *int
	between        *[2]float64
	oneOf          []any
	notOneOf       []any
	match          *pattern
	startsWith     string
	custom         func(v any) error
	elements       *Field
	keys, values   *Field
	fields         []Field
	reference      string
	onDelete       string
	// abstract records are defined by a subschema (plugin config).
	abstract bool
	// transient fields are accepted and returned but handled by the DAO
	// rather than stored as a column (certificate snis).
	transient bool
	// deprecation marks a field Kong still accepts but will remove.
	deprecation *Deprecation
	// shorthands are a record's deprecated input forms, rendered as
	// Kong's shorthand_fields for clients (go-kong, decK) that map them
	// onto their replacements.
	shorthands []Field
	// expanders are the record's input-only fields, expanded into its
	// other fields before validation (Kong's shorthand_fields funcs).
	expanders []Shorthand
}

// Deprecation is Kong's deprecation table of a field: its message, the
// version that removes it, and the paths of the fields replacing it
// (within the same record).
type Deprecation struct {
	Message          string
	RemovalInVersion string
	ReplacedWith     [][]string
}

type pattern struct {
	re      *regexp.Regexp
	source  string // Kong's Lua pattern or an equivalent description for /schemas
	message string // full error text; "" means "invalid value: <v>"
}

func newField(name string, t Type) Field { return Field{name: name, typ: t} }

// Str declares a string field.
func Str(name string) Field { return newField(name, String) }

// Int declares an integer field.
func Int(name string) Field { return newField(name, Integer) }

// Num declares a number (float) field.
func Num(name string) Field { return newField(name, Number) }

// Bool declares a boolean field.
func Bool(name string) Field { return newField(name, Boolean) }

// ArrayOf declares an array field whose elements are described by elem (its
// name is ignored).
func ArrayOf(name string, elem Field) Field {
	f := newField(name, Array)
	f.elements = &elem
	return f
}

// SetOf declares a set field: an array whose duplicates are dropped, first
// occurrence kept.
func SetOf(name string, elem Field) Field {
	f := newField(name, Set)
	f.elements = &elem
	return f
}

// MapOf declares a map field with the given key and value descriptions.
func MapOf(name string, key, value Field) Field {
	f := newField(name, Map)
	f.keys, f.values = &key, &value
	return f
}

// RecordOf declares a record (nested object) field. Records are required by
// default and filled with their fields' defaults, as in Kong's entities.
func RecordOf(name string, fields ...Field) Field {
	f := newField(name, Record)
	f.fields = fields
	f.required = true
	return f
}

// ForeignKey declares a reference to the primary key of another entity,
// written {"id": "..."} on the wire.
func ForeignKey(name, reference string) Field {
	f := newField(name, Foreign)
	f.reference = reference
	return f
}

// Name returns the field's name.
func (f Field) Name() string { return f.name }

// Type returns the field's type.
func (f Field) Type() Type { return f.typ }

// IsRequired reports whether the field must be non-null after defaults.
func (f Field) IsRequired() bool { return f.required }

// IsUnique reports whether values of the field are unique per workspace.
func (f Field) IsUnique() bool { return f.unique }

// IsAuto reports whether the field is generated when absent.
func (f Field) IsAuto() bool { return f.auto }

// IsTransient reports whether the field is not stored as a column.
func (f Field) IsTransient() bool { return f.transient }

// DefaultValue returns the field's default and whether it has one.
func (f Field) DefaultValue() (any, bool) { return f.def, f.hasDefault }

// Elem returns the element description of an array or set field.
func (f Field) Elem() *Field { return f.elements }

// MapValue returns the value description of a map field.
func (f Field) MapValue() *Field { return f.values }

// Fields returns the fields of a record.
func (f Field) Fields() []Field { return f.fields }

// Reference returns the entity a foreign field references.
func (f Field) Reference() string { return f.reference }

// OnDelete returns "cascade" or "" (restrict) for foreign fields.
func (f Field) OnDelete() string { return f.onDelete }

// Required marks the field as required.
func (f Field) Required() Field { f.required = true; return f }

// Optional clears the required mark (records are required by default).
func (f Field) Optional() Field { f.required = false; return f }

// Default sets the value used when the field is absent on insert or upsert.
// Integer defaults are stored as int64 and number defaults as float64.
func (f Field) Default(v any) Field {
	f.def, f.hasDefault = normalizeDefault(f, v), true
	return f
}

// NoDefault drops the field's default.
func (f Field) NoDefault() Field { f.def, f.hasDefault = nil, false; return f }

// NullDefault records an explicit null default, which /schemas renders.
func (f Field) NullDefault() Field { f.def, f.hasDefault = nil, true; return f }

// Auto marks the field as generated when absent (uuid, timestamps, random strings).
func (f Field) Auto() Field { f.auto = true; return f }

// Unique marks the field's values unique.
func (f Field) Unique() Field { f.unique = true; f.indexed = true; return f }

// Immutable forbids updating the field once set.
func (f Field) Immutable() Field { f.immutable = true; return f }

// UUID requires the string to be a UUID.
func (f Field) UUID() Field { f.uuid = true; return f }

// Timestamp marks an integer or number field as a Unix timestamp.
func (f Field) Timestamp() Field { f.timestamp = true; return f }

// Describe sets user documentation served by /schemas.
func (f Field) Describe(s string) Field { f.description = s; return f }

// Referenceable marks a field that may hold a vault reference.
func (f Field) Referenceable() Field { f.referenceable = true; return f }

// LenMin sets the minimum length (0 allows the empty string).
func (f Field) LenMin(n int) Field { f.lenMin = &n; return f }

// LenMax sets the maximum length.
func (f Field) LenMax(n int) Field { f.lenMax = &n; return f }

// Between bounds a numeric value, inclusive.
func (f Field) Between(lo, hi float64) Field { f.between = &[2]float64{lo, hi}; return f }

// OneOf restricts the value to a list.
func (f Field) OneOf(vs ...any) Field {
	f.oneOf = make([]any, len(vs))
	for i, v := range vs {
		f.oneOf[i] = normalizeDefault(f, v)
	}
	return f
}

// NotOneOf forbids the listed values.
func (f Field) NotOneOf(vs ...any) Field { f.notOneOf = vs; return f }

// Match requires strings to match re (a Go regular expression); source is how
// /schemas shows it. A failing value yields "invalid value: <v>" unless msg is set,
// in which case msg is the error (it may contain one %s for the value).
func (f Field) Match(re, source, msg string) Field {
	f.match = &pattern{re: regexp.MustCompile(re), source: source, message: msg}
	return f
}

// StartsWith requires strings to start with prefix.
func (f Field) StartsWith(prefix string) Field { f.startsWith = prefix; return f }

// Custom adds a validator run after the built-in ones; its error text is the
// field's error message.
func (f Field) Custom(fn func(v any) error) Field { f.custom = fn; return f }

// Cascade makes deleting the referenced entity delete this one.
func (f Field) Cascade() Field { f.onDelete = "cascade"; return f }

// Abstract marks a record defined by a subschema.
func (f Field) Abstract() Field { f.abstract = true; return f }

// Transient marks a field that is not a stored column.
func (f Field) Transient() Field { f.transient = true; return f }

// Deprecated marks the field deprecated (rendered in /schemas).
func (f Field) Deprecated(d Deprecation) Field { f.deprecation = &d; return f }

// ShorthandFields lists a record's deprecated input forms, rendered as
// Kong's shorthand_fields in /schemas. Accepting and moving them is the
// record owner's (a check), as their Lua functions are in Kong.
func (f Field) ShorthandFields(fields ...Field) Field { f.shorthands = fields; return f }

// Shorthands gives a record input-only fields: a value given for one is
// validated as its Field, removed, and expanded into the record's fields
// before they are validated; none is stored or returned. They render as
// shorthand_fields, after those of ShorthandFields.
func (f Field) Shorthands(sh ...Shorthand) Field {
	f.expanders = sh
	for _, s := range sh {
		f.shorthands = append(f.shorthands, s.Field)
	}
	return f
}

// Named returns a copy of the field under another name (for typedefs).
func (f Field) Named(name string) Field { f.name = name; return f }

func normalizeDefault(f Field, v any) any {
	switch f.typ {
	case Integer:
		if n, ok := toInt64(v); ok {
			return n
		}
	case Number:
		if n, ok := toFloat64(v); ok {
			return n
		}
	}
	return v
}

// Errorf is a convenience for custom validators: an error whose text is the
// field's message.
func Errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
