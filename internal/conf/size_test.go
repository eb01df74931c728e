package conf

import "testing"

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"0", 0, false},
		{"512", 512, false},
		{"8k", 8 << 10, false},
		{"8K", 8 << 10, false},
		{"10m", 10 << 20, false},
		{"10M", 10 << 20, false},
		{"1g", 1 << 30, false},
		{"2G", 2 << 30, false},
		{"007k", 7 << 10, false},
		{"8589934591g", 8589934591 << 30, false},

		{"", 0, true},
		{"k", 0, true},
		{"1.5m", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{"10 m", 0, true},
		{"10mb", 0, true},
		{"10t", 0, true},
		{"8589934592g", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
