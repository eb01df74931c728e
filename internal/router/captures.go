package router

import "regexp"

// Captures are the groups of a regex path match, Kong's uri_captures:
// unnamed groups by position (0 is the whole match) and named groups by
// name. Like Kong, a match has captures only when at least one group took
// part in it; prefix matches never have any. Values are substrings of the
// matched path; nothing is copied.
type Captures struct {
	subject string
	loc     []int // submatch index pairs into subject, -1 for a group that did not take part
	re      *regexp.Regexp
}

// newCaptures returns the captures of a match, or none when no group took part.
func newCaptures(subject string, loc []int, re *regexp.Regexp) Captures {
	for i := 2; i < len(loc); i += 2 {
		if loc[i] >= 0 {
			return Captures{subject: subject, loc: loc, re: re}
		}
	}
	return Captures{}
}

// Empty reports whether there are no captures (Kong leaves uri_captures nil).
func (c Captures) Empty() bool { return c.loc == nil }

// Len is the number of unnamed positions, the whole match included: 1 + the
// number of groups of the regex, or 0 when Empty.
func (c Captures) Len() int { return len(c.loc) / 2 }

// Unnamed returns group i (0: the whole match). ok is false when i is out of
// range or the group did not take part in the match (Kong: nil).
func (c Captures) Unnamed(i int) (value string, ok bool) {
	if i < 0 || 2*i+1 >= len(c.loc) || c.loc[2*i] < 0 {
		return "", false
	}
	return c.subject[c.loc[2*i]:c.loc[2*i+1]], true
}

// Named returns the named group name. ok is false when the regex has no such
// group or it did not take part in the match.
func (c Captures) Named(name string) (value string, ok bool) {
	if c.re == nil || name == "" {
		return "", false
	}
	i := c.re.SubexpIndex(name)
	if i < 0 {
		return "", false
	}
	return c.Unnamed(i)
}

// Names lists the regex's group names, in group order ("" for unnamed
// groups); the slice must not be modified.
func (c Captures) Names() []string {
	if c.re == nil {
		return nil
	}
	return c.re.SubexpNames()
}
