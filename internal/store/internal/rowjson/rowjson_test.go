package rowjson

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any    // nil: in
		text string // "": not checked
	}{
		{"null", nil, nil, "null"},
		{"bools", []any{true, false}, nil, "[true,false]"},
		{"int", int64(5), nil, "5"},
		{"negative int", int64(-7), nil, "-7"},
		{"int beyond 2^53", int64(1<<53 + 1), nil, "9007199254740993"},
		{"max int64", int64(math.MaxInt64), nil, ""},
		{"whole float", float64(3), nil, "3.0"},
		{"float", 0.1, nil, "0.1"},
		{"tiny float", 1e-300, nil, "1e-300"},
		{"huge float", 1e300, nil, "1e+300"},
		{"negative zero float", math.Copysign(0, -1), nil, "-0.0"},
		{"go int", 5, int64(5), "5"},
		{"json.Number int", json.Number("12"), int64(12), "12"},
		{"json.Number float", json.Number("1.5"), 1.5, "1.5"},
		{"string escapes", "a\"b\\c\n\t\x00\x1f/<>&é😀", nil, `"a\"b\\c\n\t\u0000\u001f/<>&é😀"`},
		{"invalid utf-8", "a\xffb", "a\ufffdb", `"a\ufffdb"`},
		{"sorted object", map[string]any{"b": int64(1), "a": 2.5, "c": map[string]any{"z": nil, "y": []any{}}},
			nil, `{"a":2.5,"b":1,"c":{"y":[],"z":null}}`},
		{"string list", []string{"x", "y"}, []any{"x", "y"}, `["x","y"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.text != "" && string(text) != tt.text {
				t.Errorf("Marshal = %s, want %s", text, tt.text)
			}
			got, err := Unmarshal(text)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = tt.in
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
	}{
		{"NaN", math.NaN()},
		{"Inf", []any{math.Inf(1)}},
		{"unknown type", map[string]any{"a": struct{}{}}},
		{"bad json.Number", json.Number("1x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Marshal(tt.in); err == nil {
				t.Error("no error")
			}
		})
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("x", int64(1), 1.5)
	f.Fuzz(func(t *testing.T, s string, n int64, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Skip()
		}
		in := map[string]any{"s": s, "n": n, "x": x, "l": []any{s, n, x}}
		text, err := Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(text) {
			t.Fatalf("invalid JSON %s", text)
		}
		got, err := Unmarshal(text)
		if err != nil {
			t.Fatal(err)
		}
		m := got.(map[string]any)
		if m["n"] != n || m["x"] != x {
			t.Errorf("numbers %v %v, want %v %v", m["n"], m["x"], n, x)
		}
	})
}
