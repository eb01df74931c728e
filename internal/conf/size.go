package conf

import (
	"errors"
	"strconv"
)

// ParseSize reads an nginx size: a number of bytes optionally followed by
// k/K (KiB), m/M (MiB) or g/G (GiB), e.g. "0", "8k", "10m", "1g". Nginx
// takes no fractions, signs or spaces, and neither does ParseSize.
func ParseSize(s string) (int64, error) {
	mult := int64(1)
	digits := s
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, digits = 1<<10, s[:n-1]
		case 'm', 'M':
			mult, digits = 1<<20, s[:n-1]
		case 'g', 'G':
			mult, digits = 1<<30, s[:n-1]
		}
	}
	if digits == "" || !allBytes(digits, isDigit) {
		return 0, errors.New("invalid size " + strconv.Quote(s))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > (1<<63-1)/mult {
		return 0, errors.New("size out of range " + strconv.Quote(s))
	}
	return n * mult, nil
}
