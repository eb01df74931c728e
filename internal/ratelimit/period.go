package ratelimit

import "time"

// Period is one of Kong's six windows.
type Period uint8

// The periods, shortest first (kong/tools/timestamp.lua's
// timestamp_table_fields).
const (
	Second Period = iota
	Minute
	Hour
	Day
	Month
	Year
)

// Periods lists every period, shortest first.
var Periods = [...]Period{Second, Minute, Hour, Day, Month, Year}

var (
	periodNames  = [...]string{"second", "minute", "hour", "day", "month", "year"}
	periodTitles = [...]string{"Second", "Minute", "Hour", "Day", "Month", "Year"}
	// expirations are Kong's expiration.lua, in seconds: a month counts
	// 30 days and a year 365 in RateLimit-Reset whatever the calendar says.
	expirations = [...]int64{1, 60, 3600, 86400, 2592000, 31536000}
)

// String returns the config field name: "second" ... "year".
func (p Period) String() string { return periodNames[p] }

// Title returns the name as in X-RateLimit-Limit-<Title>: "Second" ...
func (p Period) Title() string { return periodTitles[p] }

// Expiration returns Kong's length of the period in seconds
// (kong/plugins/rate-limiting/expiration.lua).
func (p Period) Expiration() int64 { return expirations[p] }

// Start returns the Unix second the window holding now (Unix seconds)
// begins at, on the UTC calendar: months begin on the 1st, years on
// January 1st (kong.tools.timestamp.get_timestamps).
func (p Period) Start(now int64) int64 {
	switch p {
	case Second:
		return now
	case Minute, Hour, Day:
		return now - now%expirations[p]
	}
	t := time.Unix(now, 0).UTC()
	if p == Month {
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	return time.Date(t.Year(), time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
}

// End returns the Unix second the window beginning at start ends at:
// the next window's start.
func (p Period) End(start int64) int64 {
	switch p {
	case Month:
		return time.Unix(start, 0).UTC().AddDate(0, 1, 0).Unix()
	case Year:
		return time.Unix(start, 0).UTC().AddDate(1, 0, 0).Unix()
	}
	return start + expirations[p]
}

// Reset returns the seconds until the window holding now ends as Kong
// reports them in RateLimit-Reset and Retry-After: the period's
// Expiration less the seconds elapsed in the window, at least 1.
func (p Period) Reset(now int64) int64 {
	return max(1, expirations[p]-(now-p.Start(now)))
}
