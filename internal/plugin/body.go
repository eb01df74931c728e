package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
)

// BodyArgs returns the client's body decoded by its Content-Type
// (kong.request.get_body): a form (application/x-www-form-urlencoded or
// multipart/form-data; a field sent once is a string, several times a
// []string, file parts are left out) or a JSON object (values as
// encoding/json decodes them into any). An empty body, or one of another
// type, gives an empty map; a body that does not parse as its type gives
// an error. The body stays readable and is still sent upstream. The map
// is parsed once per request and shared: do not change it.
func (k *PDK) BodyArgs() (map[string]any, error) {
	if k.bodyArgs == nil && k.bodyErr == nil {
		k.bodyArgs, k.bodyErr = k.parseBody()
	}
	return k.bodyArgs, k.bodyErr
}

func (k *PDK) parseBody() (map[string]any, error) {
	mediaType, params, _ := mime.ParseMediaType(k.Request.Header("Content-Type"))
	switch mediaType {
	case "application/x-www-form-urlencoded", "multipart/form-data", "application/json":
	default:
		return map[string]any{}, nil
	}
	body, err := k.Request.Body()
	if err != nil {
		return nil, err
	}
	args := map[string]any{}
	if len(body) == 0 {
		return args, nil
	}
	switch mediaType {
	case "application/json":
		if err := json.Unmarshal(body, &args); err != nil {
			return nil, errors.New("failed to decode JSON body: " + err.Error())
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errors.New("failed to decode form body: " + err.Error())
		}
		addForm(args, q)
	default:
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		form, err := r.ReadForm(int64(len(body)) + 1)
		if err != nil {
			return nil, errors.New("failed to decode multipart body: " + err.Error())
		}
		defer form.RemoveAll()
		addForm(args, form.Value)
	}
	return args, nil
}

// BodyArg returns a string argument of the body (BodyArgs), the first
// when the field was sent several times; false when absent or not a
// string.
func (k *PDK) BodyArg(name string) (string, bool, error) {
	args, err := k.BodyArgs()
	if err != nil {
		return "", false, err
	}
	switch v := args[name].(type) {
	case string:
		return v, true, nil
	case []string:
		return v[0], true, nil
	}
	return "", false, nil
}

func addForm(args map[string]any, values map[string][]string) {
	for name, vs := range values {
		switch len(vs) {
		case 0:
		case 1:
			args[name] = vs[0]
		default:
			args[name] = vs
		}
	}
}

// SetBodyArgs replaces the body sent upstream with args encoded as the
// client's Content-Type (kong.service.request.set_body): JSON, a
// urlencoded form, or multipart/form-data with the client's boundary.
// Form values must be strings or []string.
func (k *PDK) SetBodyArgs(args map[string]any) error {
	mediaType, params, _ := mime.ParseMediaType(k.Request.Header("Content-Type"))
	var body []byte
	switch mediaType {
	case "application/json":
		b, err := json.Marshal(args)
		if err != nil {
			return err
		}
		body = b
	case "application/x-www-form-urlencoded":
		body = []byte(formValues(args).Encode())
	case "multipart/form-data":
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		if err := w.SetBoundary(params["boundary"]); err != nil {
			return err
		}
		values := formValues(args)
		for _, name := range slices.Sorted(maps.Keys(values)) {
			for _, v := range values[name] {
				if err := w.WriteField(name, v); err != nil {
					return err
				}
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
		body = buf.Bytes()
	default:
		return errors.New("unsupported content type " + mediaType)
	}
	k.ServiceRequest.SetBody(body)
	k.bodyArgs, k.bodyErr = args, nil
	return nil
}

func formValues(args map[string]any) url.Values {
	q := url.Values{}
	for name, v := range args {
		switch v := v.(type) {
		case string:
			q.Set(name, v)
		case []string:
			q[name] = v
		}
	}
	return q
}
