package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const wrkOutput = `Running 1s test @ http://127.0.0.1:18000/plain
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   783.12us  301.55us   8.98ms   91.20%
    Req/Sec    63.84k     2.10k   66.01k    80.00%
  Latency Distribution
     50%  670.00us
     75%  800.00us
     90%    1.01ms
     99%    1.48ms
  63842 requests in 1.00s, 11.69MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  63842.00
Transfer/sec:     11.69MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{rps: 63842, p50: 670 * time.Microsecond, p99: 1480 * time.Microsecond, requests: 63842, errors: 7}
	if r != want {
		t.Errorf("parseWrk = %+v, want %+v", r, want)
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median even = %v", got)
	}
}

// TestNginxConfigs checks every scenario's generated nginx.conf with `nginx -t`.
func TestNginxConfigs(t *testing.T) {
	nginx := lookPath("nginx")
	if nginx == "" || testing.Short() {
		t.Skip("nginx not installed or -short")
	}
	certDir := t.TempDir()
	if err := writeCertificate(certDir); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			dir := t.TempDir()
			conf, err := sc.nginxConf(dir, certDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sc.kongYML(dir); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(nginx, "-t", "-q", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")).CombinedOutput()
			if err != nil {
				t.Fatalf("nginx -t: %v\n%s", err, out)
			}
		})
	}
}

// TestPrintTablePaired: a paired scenario gets the plain gateway's row, and its ratio
// is the median of the rounds' own ratios, not the ratio of the medians.
func TestPrintTablePaired(t *testing.T) {
	rounds := func(rps ...float64) measure {
		m := measure{rps: rps, requests: 1000, cpu: 40 * time.Millisecond}
		for range rps {
			m.p50 = append(m.p50, time.Millisecond)
			m.p99 = append(m.p99, 2*time.Millisecond)
		}
		return m
	}
	paired := result{sc: scenarios[1]}
	paired.m[nginxProxy] = rounds(300, 300, 300)
	paired.m[gatewayProxy] = rounds(97, 190, 290)
	paired.m[pairedProxy] = rounds(100, 200, 280)
	paired.m[pairedProxy].cpu = 39 * time.Millisecond
	plain := result{sc: scenarios[0]}
	plain.m[nginxProxy], plain.m[gatewayProxy] = rounds(300), rounds(200)
	var b strings.Builder
	printTable(&b, []result{plain, paired})
	text := b.String()
	for _, want := range []string{
		"| routes-10k | gateway, plain | 200 | 1.00 ms | 2.00 ms | 39.0 |  |  | 0 |",
		"| routes-10k | 0.970× | 0.970 0.950 1.036 | 0.975× |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "| plain | gateway, plain |") != 0 {
		t.Errorf("an unpaired scenario got a plain gateway row:\n%s", text)
	}
	cells := 0
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		switch {
		case strings.HasPrefix(l, "| scenario |"):
			cells = strings.Count(l, "|")
		case strings.HasPrefix(l, "|") && strings.Count(l, "|") != cells:
			t.Errorf("row %q has not the %d separators of its heading", l, cells)
		}
	}
}
