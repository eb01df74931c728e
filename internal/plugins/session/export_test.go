package session

import "time"

// SetClock makes sessions read the time from now until restore is called.
func SetClock(now func() time.Time) (restore func()) {
	old := clock
	clock = now
	return func() { clock = old }
}
