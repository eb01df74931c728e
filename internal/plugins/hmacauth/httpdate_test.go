package hmacauth

import (
	"testing"
	"time"
)

// TestParseHTTPTime: nginx's three formats and its leniencies.
func TestParseHTTPTime(t *testing.T) {
	unix := func(y int, m time.Month, d, hh, mm, ss int) int64 {
		return time.Date(y, m, d, hh, mm, ss, 0, time.UTC).Unix()
	}
	nov6 := unix(1994, time.November, 6, 8, 49, 37)
	cases := []struct {
		value string
		want  int64
		ok    bool
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", nov6, true},
		{"Sunday, 06-Nov-94 08:49:37 GMT", nov6, true},
		{"Sun Nov  6 08:49:37 1994", nov6, true},
		{"Sun Nov 6 08:49:37 1994", nov6, true},
		{"Sun Nov 06 08:49:37 1994", nov6, true},
		{"Xyz, 06 Nov 1994 08:49:37", nov6, true},           // weekday unread, no zone
		{"Sun, 06 Nov 1994 08:49:37 +0200", nov6, true},     // zone ignored
		{", 06 Nov 1994 08:49:37 GMT and more", nov6, true}, // trailing text ignored
		{"Sun,   06 Nov 1994 08:49:37 GMT", nov6, true},
		{"Sun, 06 Nxx 1994 08:49:37 GMT", nov6, true}, // months by their first letters
		{"Sun, 06 Jux 1994 08:49:37 GMT", unix(1994, time.July, 6, 8, 49, 37), true},
		{"Sun, 06 Jan 1994 08:49:37 GMT", unix(1994, time.January, 6, 8, 49, 37), true},
		{"Sun, 06 Mar 1994 08:49:37 GMT", unix(1994, time.March, 6, 8, 49, 37), true},
		{"Sun, 06 Aug 1994 08:49:37 GMT", unix(1994, time.August, 6, 8, 49, 37), true},
		{"Thursday, 06-Nov-69 08:49:37 GMT", unix(2069, time.November, 6, 8, 49, 37), true},
		{"Thursday, 06-Nov-70 08:49:37 GMT", unix(1970, time.November, 6, 8, 49, 37), true},
		{"Thu, 29 Feb 1996 00:00:00 GMT", unix(1996, time.February, 29, 0, 0, 0), true},
		{"Thu, 00 Nov 1994 08:49:37 GMT", unix(1994, time.October, 31, 8, 49, 37), true},
		{"Thu, 29 Feb 1995 00:00:00 GMT", 0, false},
		{"Thu, 29 Feb 1900 00:00:00 GMT", 0, false},
		{"Thu, 31 Apr 1994 00:00:00 GMT", 0, false},
		{"Sun, 06 Nov 1994 24:00:00 GMT", 0, false},
		{"Sun, 06 Nov 1994 08:60:00 GMT", 0, false},
		{"Sun, 6 Nov 1994 08:49:37 GMT", 0, false},
		{"Sun, 06 Xov 1994 08:49:37 GMT", 0, false},
		{"Sun, 06-Nov 1994 08:49:37 GMT", 0, false},
		{"Sun, 06 Nov 94 08:49:37 GMT", 0, false},
		{"Sun, 06 Nov 1994 08.49.37 GMT", 0, false},
		{"Sun, 06 Nov 1994 08:49", 0, false},
		{"06 Nov 1994 08:49:37 GMT", 0, false},
		{"1994-11-06T08:49:37Z", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, ok := parseHTTPTime(c.value)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%q: %d %v, want %d %v", c.value, got, ok, c.want, c.ok)
		}
	}
}
