package hmacauth

import "time"

// Date formats nginx's ngx_parse_http_time accepts.
const (
	rfc822  = iota + 1 // Tue, 10 Nov 2002 23:50:13
	rfc850             // Tuesday, 10-Dec-02 23:50:13
	asctime            // Tue Dec 10 23:50:13 2002
)

// parseHTTPTime parses a date as nginx's ngx_parse_http_time, which Kong's
// ngx.parse_http_time is: the weekday is skipped unread, the month is
// recognised by its first letters, the zone and anything after the time
// (or the asctime year) are ignored. It returns Unix seconds.
func parseHTTPTime(s string) (int64, bool) {
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	number := func(i, n int) (int, bool) {
		v := 0
		for j := i; j < i+n; j++ {
			c := at(j)
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}

	format, p := 0, 0
	for ; p < len(s); p++ {
		if s[p] == ',' {
			break
		}
		if s[p] == ' ' {
			format = asctime
			break
		}
	}
	for p++; p < len(s) && s[p] == ' '; p++ {
	}
	if len(s)-p < 18 {
		return 0, false
	}
	var day int
	var ok bool
	if format != asctime {
		if day, ok = number(p, 2); !ok {
			return 0, false
		}
		p += 2
		switch at(p) {
		case ' ':
			if len(s)-p < 18 {
				return 0, false
			}
			format = rfc822
		case '-':
			format = rfc850
		default:
			return 0, false
		}
		p++
	}
	month, ok := monthAt(at(p), at(p+1), at(p+2))
	if !ok {
		return 0, false
	}
	p += 3
	if format == rfc822 && at(p) != ' ' || format == rfc850 && at(p) != '-' {
		return 0, false
	}
	p++

	var year int
	switch format {
	case rfc822:
		if year, ok = number(p, 4); !ok {
			return 0, false
		}
		p += 4
	case rfc850:
		if year, ok = number(p, 2); !ok {
			return 0, false
		}
		if year < 70 {
			year += 2000
		} else {
			year += 1900
		}
		p += 2
	case asctime:
		if at(p) == ' ' {
			p++
		}
		if day, ok = number(p, 1); !ok {
			return 0, false
		}
		p++
		if at(p) != ' ' {
			d, ok := number(p, 1)
			if !ok {
				return 0, false
			}
			day, p = day*10+d, p+1
		}
		if len(s)-p < 14 {
			return 0, false
		}
	}

	if at(p) != ' ' {
		return 0, false
	}
	hour, ok1 := number(p+1, 2)
	minute, ok2 := number(p+4, 2)
	sec, ok3 := number(p+7, 2)
	if !ok1 || !ok2 || !ok3 || at(p+3) != ':' || at(p+6) != ':' {
		return 0, false
	}
	if format == asctime {
		if at(p+9) != ' ' {
			return 0, false
		}
		if year, ok = number(p+10, 4); !ok {
			return 0, false
		}
	}
	if hour > 23 || minute > 59 || sec > 59 || day > daysIn(month, year) {
		return 0, false
	}
	// day 0 is the previous month's last day, as nginx's arithmetic has it
	return time.Date(year, month, day, hour, minute, sec, 0, time.UTC).Unix(), true
}

// monthAt recognises a month by nginx's rules, which read only as many
// letters as tell the months apart.
func monthAt(c0, c1, c2 byte) (time.Month, bool) {
	switch c0 {
	case 'J':
		switch {
		case c1 == 'a':
			return time.January, true
		case c2 == 'n':
			return time.June, true
		}
		return time.July, true
	case 'F':
		return time.February, true
	case 'M':
		if c2 == 'r' {
			return time.March, true
		}
		return time.May, true
	case 'A':
		if c1 == 'p' {
			return time.April, true
		}
		return time.August, true
	case 'S':
		return time.September, true
	case 'O':
		return time.October, true
	case 'N':
		return time.November, true
	case 'D':
		return time.December, true
	}
	return 0, false
}

// daysIn is the number of days of month in year.
func daysIn(month time.Month, year int) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
