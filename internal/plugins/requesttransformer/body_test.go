package requesttransformer_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

type bodyCase struct {
	name, config, sent, want string
}

// testBodies sends each body with contentType and compares the body that
// reached the upstream, and its Content-Length.
func testBodies(t *testing.T, contentType string, cases []bodyCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, c.config)
			up := upstream(t, e, plugintest.Request{Method: http.MethodPost, Path: "/request", Body: c.sent,
				Header: header("Content-Type", contentType)})
			if up.Body != c.want {
				t.Errorf("upstream body\n got %q\nwant %q", up.Body, c.want)
			}
			if got := values(up.Headers, "Content-Length"); c.want != "" && got != strconv.Itoa(len(c.want)) {
				t.Errorf("Content-Length %s for %d bytes", got, len(c.want))
			}
		})
	}
}

func TestJSONBody(t *testing.T) {
	testBodies(t, "application/json", []bodyCase{
		{"add", `{"add":{"body":["p1:v1"]}}`, `{"hello":"world"}`, `{"hello":"world","p1":"v1"}`},
		{"add keeps an existing value", `{"add":{"body":["p1:v1"]}}`, `{"p1":"this should not change","hello":"world"}`,
			`{"p1":"this should not change","hello":"world"}`},
		{"add replaces false", `{"add":{"body":["p1:v1"]}}`, `{"p1":false}`, `{"p1":"v1"}`},
		{"add to an empty body", `{"add":{"body":["body:somecontent"]}}`, ``, `{"body":"somecontent"}`},
		{"remove", `{"remove":{"body":["toremoveform"]}}`, `{"toremoveform":"yes","nottoremove":"yes"}`, `{"nottoremove":"yes"}`},
		{"remove of an absent name re-encodes", `{"remove":{"body":["x"]}}`, `{"a": 1.50, "b":"a/b"}`, `{"a":1.5,"b":"a\/b"}`},
		{"remove and rename leave an empty body", `{"remove":{"body":["x"]},"rename":{"body":["x:y"]},"replace":{"body":["x:z"]}}`, ``, ``},
		{"rename", `{"rename":{"body":["originalparam:renamedparam"]}}`, `{"originalparam":"yes","nottorename":"yes"}`,
			`{"nottorename":"yes","renamedparam":"yes"}`},
		{"rename of an absent name", `{"rename":{"body":["originalparam:renamedparam"]}}`, `{"a":"b"}`, `{"a":"b"}`},
		{"replace", `{"replace":{"body":["p1:v1"]}}`, `{"p1":"v","p2":"v1"}`, `{"p1":"v1","p2":"v1"}`},
		{"replace of an object", `{"replace":{"body":["p1:v1"]}}`, `{"p1":{"a":[1,2]}}`, `{"p1":"v1"}`},
		{"replace of null and not false", `{"replace":{"body":["p1:v1","p2:v2"]}}`, `{"p1":null,"p2":false}`, `{"p1":"v1","p2":false}`},
		{"replace of an absent name", `{"replace":{"body":["p1:v1"]}}`, `{"p2":"v1"}`, `{"p2":"v1"}`},
		{"append", `{"append":{"body":["p1:v1","p1:v2","p2:value:1"]}}`, `{}`, `{"p1":["v1","v2"],"p2":["value:1"]}`},
		{"append to a string and an array", `{"append":{"body":["p1:v1","p2:v2"]}}`, `{"p1":"v0","p2":[1]}`,
			`{"p1":["v0","v1"],"p2":[1,"v2"]}`},
		{"append replaces a number", `{"append":{"body":["p1:v1"]}}`, `{"p1":5}`, `{"p1":["v1"]}`},
		{"append into an object", `{"append":{"body":["p1:v1"]}}`, `{"p1":{"a":"b"}}`, `{"p1":{"1":"v1","a":"b"}}`},
		{"preserves an empty array", `{"add":{"body":["p1:v1"]}}`, `{"emptyarray":[]}`, `{"emptyarray":[],"p1":"v1"}`},
		{"cjson numbers and escapes", `{"add":{"body":["url:http://x/y"]}}`,
			`{"big":12345678901234567890,"f":0.1,"e":1e300,"s":"\u0001\u007f\"\\é\b\f\n\r\t","t":true,"n":null}`,
			`{"big":1.2345678901235e+19,"e":1e+300,"f":0.1,"n":null,"s":"\u0001\u007f\"\\é\b\f\n\r\t","t":true,"url":"http:\/\/x\/y"}`},
		{"malformed JSON is left alone", `{"add":{"body":["p1:v1"]},"remove":{"body":["a"]}}`, `malformed json body`, `malformed json body`},
		{"a top-level array is re-encoded", `{"add":{"body":["p1:v1"]}}`, `[1, "a/b"]`, `[1,"a\/b"]`},
		{"a string only read is left alone", `{"replace":{"body":["p1:v1"]}}`, `"text"`, `"text"`},
	})
}

// TestJSONScalarBody: Kong fails to set names on a JSON string, number,
// boolean or null.
func TestJSONScalarBody(t *testing.T) {
	e := setup(t, `{"add":{"body":["p1:v1"]}}`)
	for _, body := range []string{`"text"`, `5`, `true`, `null`} {
		fails(t, e, plugintest.Request{Method: http.MethodPost, Path: "/" + body, Body: body,
			Header: header("Content-Type", "application/json")})
	}
}

func TestFormBody(t *testing.T) {
	testBodies(t, "application/x-www-form-urlencoded", []bodyCase{
		{"add", `{"add":{"body":["p1:v1"]}}`, `hello=world`, `hello=world&p1=v1`},
		{"add keeps an existing value, body untouched", `{"add":{"body":["p1:v1"]}}`, `p1=should+not+change&hello=world`, `p1=should+not+change&hello=world`},
		{"re-encoded sorted", `{"add":{"body":["p1:v 1"]}}`, `z=should+change&a=%2F`, `a=%2F&p1=v%201&z=should%20change`},
		{"add to an empty body", `{"add":{"body":["p1:v1"]}}`, ``, `p1=v1`},
		{"remove", `{"remove":{"body":["toremoveform"]}}`, `toremoveform=yes&nottoremove=yes`, `nottoremove=yes`},
		{"rename", `{"rename":{"body":["originalparam:renamedparam"]}}`, `originalparam=yes`, `renamedparam=yes`},
		{"rename of an absent name", `{"rename":{"body":["originalparam:renamedparam"]}}`, `x-a-header=true`, `x-a-header=true`},
		{"replace", `{"replace":{"body":["p1:v1"]}}`, `p1=v&p2=v1`, `p1=v1&p2=v1`},
		{"replace of an absent name", `{"replace":{"body":["p1:v1"]}}`, `p2=v1`, `p2=v1`},
		{"append", `{"append":{"body":["p1:v1","p1:v2","p2:value:1"]}}`, ``, `p1=v1&p1=v2&p2=value%3A1`},
		{"append to an existing value", `{"append":{"body":["p1:v1","p1:v2"]}}`, `p1=v0&flag`, `flag&p1=v0&p1=v1&p1=v2`},
	})
}

func TestMultipartBody(t *testing.T) {
	const ct = "multipart/form-data; boundary=XyZ"
	part := func(name, value string) string {
		return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"
	}
	file := "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n"
	const end = "--XyZ--\r\n"
	testBodiesCT := func(cases []bodyCase) { testBodies(t, ct, cases) }
	testBodiesCT([]bodyCase{
		{"add", `{"add":{"body":["p1:v1"]}}`, part("hello", "world") + end, part("hello", "world") + part("p1", "v1") + end},
		{"add keeps an existing value", `{"add":{"body":["p1:v1"]}}`, part("p1", "keep") + end, part("p1", "keep") + end},
		{"remove", `{"remove":{"body":["toremoveform"]}}`,
			part("toremoveform", "yes") + part("nottoremove", "yes") + part("toremoveform", "again") + end,
			part("nottoremove", "yes") + end},
		{"remove of an absent name re-encodes", `{"remove":{"body":["x"]}}`, file + end + "epilogue", file + end},
		// lua-multipart keeps reading a value until a named part ends
		{"a preamble joins the first value", `{"remove":{"body":["x"]}}`, "preamble\r\n" + file + end,
			strings.Replace(file, "line1", "preamble\r\nline1", 1) + end},
		{"rename", `{"rename":{"body":["originalparam:renamedparam"]}}`,
			part("originalparam", "yes") + part("nottorename", "yes") + end,
			part("nottorename", "yes") + part("renamedparam", "yes") + end},
		{"rename of a file keeps its value", `{"rename":{"body":["f:g"]}}`, file + end, part("g", "line1\r\nline2") + end},
		{"rename onto an existing name takes its place", `{"rename":{"body":["a:b"]}}`,
			part("b", "old") + part("c", "c") + part("a", "new") + end, part("b", "new") + part("c", "c") + end},
		{"replace moves the part last", `{"replace":{"body":["p1:v1"]}}`, part("p1", "v") + part("p2", "v1") + end,
			part("p2", "v1") + part("p1", "v1") + end},
		{"replace of an absent name", `{"replace":{"body":["p1:v1"]}}`, part("p2", "v1") + end, part("p2", "v1") + end},
		{"append does not apply", `{"append":{"body":["p1:v1"]}}`, part("p1", "keep") + end, part("p1", "keep") + end},
		{"remove of the only part empties the body", `{"remove":{"body":["p1"]}}`, part("p1", "v") + end, ""},
	})
	testBodies(t, `multipart/form-data; boundary="XyZ"`, []bodyCase{
		{"quoted boundary", `{"add":{"body":["p1:v1"]}}`, part("a", "b") + end, part("a", "b") + part("p1", "v1") + end},
	})
	// Kong's lua-multipart takes the boundary up to a space, so a
	// parameter after it hides the parts.
	testBodies(t, "multipart/form-data; boundary=XyZ; charset=utf-8", []bodyCase{
		{"boundary followed by a parameter", `{"add":{"body":["p1:v1"]}}`, part("a", "b") + end,
			"--XyZ;\r\nContent-Disposition: form-data; name=\"p1\"\r\n\r\nv1\r\n--XyZ;--\r\n"},
	})
}

// TestBodyOtherType: other content types are not transformed.
func TestBodyOtherType(t *testing.T) {
	e := setup(t, `{"add":{"body":["p1:v1"]},"remove":{"body":["a"]}}`)
	up := upstream(t, e, plugintest.Request{Method: http.MethodPost, Path: "/", Body: "a=1",
		Header: header("Content-Type", "text/plain")})
	if up.Body != "a=1" {
		t.Errorf("text body changed: %q", up.Body)
	}
}

// TestBodyAfterHeaders: the body follows the Content-Type the header
// transformations set, and the method may change to send it.
func TestBodyAfterHeaders(t *testing.T) {
	e := setup(t, `{"http_method":"POST","add":{"headers":["Content-Type:application/json"],"body":["body:somecontent"]}}`)
	up := upstream(t, e, plugintest.Request{Path: "/request"})
	if up.Method != "POST" || up.Body != `{"body":"somecontent"}` || values(up.Headers, "Content-Type") != "application/json" {
		t.Errorf("upstream %s %q %v", up.Method, up.Body, up.Headers)
	}
}

// TestMultipartWithoutBoundary: lua-multipart encodes with a boundary of
// its own when the Content-Type has none.
func TestMultipartWithoutBoundary(t *testing.T) {
	e := setup(t, `{"add":{"body":["p1:v1"]}}`)
	up := upstream(t, e, plugintest.Request{Method: http.MethodPost, Path: "/", Header: header("Content-Type", "multipart/form-data")})
	boundary, rest, ok := strings.Cut(up.Body, "\r\n")
	if !ok || !strings.HasPrefix(boundary, "--0x") ||
		rest != "Content-Disposition: form-data; name=\"p1\"\r\n\r\nv1\r\n"+boundary+"--\r\n" {
		t.Errorf("upstream body %q", up.Body)
	}
}
