// Package requesttransformer implements Kong's request-transformer plugin
// (priority 801, access phase): it changes the request sent to the
// service, in Kong's order: the path (replace.uri), the method
// (http_method, moving a form body's arguments to the query string for
// GET, HEAD and TRACE), the headers, the body (JSON, urlencoded or
// multipart) and the query string; within each, remove, rename, replace
// (only what is present), add (only what is absent) and append.
//
// Values are Penlight templates whose `$(...)` expressions are evaluated
// by the luatemplate subpackage as Kong's sandbox does, with headers,
// query_params, uri_captures and shared read from the request when first
// used.
package requesttransformer
