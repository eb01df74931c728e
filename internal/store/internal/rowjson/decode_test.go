package rowjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, in string
		want     any
	}{
		{"object with spaces", " {\n\"a\" : [ 1 , 2.5 ,-3e2, true,false,null ] , \"b\":{}}\t", map[string]any{
			"a": []any{int64(1), 2.5, -300.0, true, false, nil}, "b": map[string]any{}}},
		{"empty array", "[]", []any{}},
		{"escapes", `"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00x"`, "\"\\/\b\f\n\r\té😀x"},
		{"lone surrogate", `"\ud800x"`, "\ufffdx"},
		{"surrogate then non-surrogate", `"\ud800\u0041"`, "\ufffdA"},
		{"invalid utf-8", "\"a\xffb\"", "a\ufffdb"},
		{"int overflow", "9223372036854775808", 9223372036854775808.0},
		{"negative zero", "-0", int64(0)},
		{"duplicate key", `{"a":1,"a":2}`, map[string]any{"a": int64(2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unmarshal([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "{", "[1,]", `{"a"}`, `{"a":}`, `{a:1}`, "01", "1.", "1e", "-", "tru", "nul",
		`"abc`, "\"a\x01\"", `"\x"`, `"\u12"`, `"\u12zz"`, "[1 2]", "1 2", `{"a":1,}`, "1e999",
		strings.Repeat("[", maxDepth+1),
	} {
		t.Run(strconv.Quote(in), func(t *testing.T) {
			if v, err := Unmarshal([]byte(in)); err == nil {
				t.Errorf("Unmarshal = %#v, want an error", v)
			}
		})
	}
}

func TestDecodeObject(t *testing.T) {
	var d Decoder
	if _, err := d.DecodeObject([]byte(`[1]`)); err == nil {
		t.Error("array accepted as object")
	}
	for range 2 { // the second decode reuses interned keys
		got, err := d.DecodeObject([]byte(`{"a":1,"b":1.0,"c":1e2}`))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]any{"a": int64(1), "b": 1.0, "c": 100.0}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}

// stdDecode decodes with encoding/json and applies the number rule.
func stdDecode(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errors.New("invalid")
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return stdNumbers(v)
}

func stdNumbers(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return n, nil
			}
		}
		return strconv.ParseFloat(string(x), 64)
	case []any:
		for i := range x {
			c, err := stdNumbers(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
	case map[string]any:
		for k := range x {
			c, err := stdNumbers(x[k])
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
	}
	return v, nil
}

// FuzzDecode is differential: the Decoder agrees with encoding/json on
// every input, in error and in value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u00e9"],"b":null}`, `"\ud83d\ude00"`, `[true,false,-0.0,1e5]`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := stdDecode(data)
		got, err := Unmarshal(data)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("Unmarshal(%q) error = %v, encoding/json error = %v", data, err, wantErr)
		}
		if err == nil && !cmp.Equal(want, got) {
			t.Fatalf("Unmarshal(%q) = %#v, encoding/json %#v", data, got, want)
		}
	})
}

func BenchmarkDecodeRow(b *testing.B) {
	row := map[string]any{"id": "00000000-0000-4000-8000-000000000001", "name": "r1",
		"protocols": []any{"http", "https"}, "paths": []any{"/a"}, "strip_path": true,
		"regex_priority": int64(0), "https_redirect_status_code": int64(426), "hosts": nil,
		"service": map[string]any{"id": "00000000-0000-4000-8000-000000000002"}, "created_at": int64(1700000000),
		"headers": map[string]any{"x-a": []any{"1"}}, "tags": []any{"a", "b"}}
	data, err := Marshal(row)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var d Decoder
	for b.Loop() {
		if _, err := d.DecodeObject(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeString(t *testing.T) {
	var d Decoder
	got, err := d.DecodeString(`{"a":"x","b":[1,2.0]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "x", "b": []any{int64(1), 2.0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := d.DecodeString(`[1`); err == nil {
		t.Error("an unterminated array decoded")
	}
}
