package botdetection

import "testing"

// Each built-in pattern, in Kong's order, matches a User-Agent of the kind
// it was written for.
func TestBuiltinRules(t *testing.T) {
	samples := []string{
		"Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Mozilla/5.0 (Windows NT 6.1; rv:6.0) Gecko/20110814 Firefox/6.0 Google (+https://developers.google.com/+/web/snippet/)",
		"Twitterbot/1.0",
		"Boto3/1.4.0 Python/2.7.12 Linux/4.4.0",
		"Mozilla/5.0 (Windows NT 6.1) PTST/1.0",
		"Mozilla/5.0 (compatible; /Nutch-1.0)",
		"LinkedInBot/1.0 (compatible; Mozilla/5.0)",
		"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; MSIECrawler)",
		"okhttp/4.9.0",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Some Indexer/1.0",
		"Some Indexer 2.0",
		"webspider",
	}
	if len(bots) != len(samples) {
		t.Fatalf("%d built-in patterns, want Kong's %d", len(bots), len(samples))
	}
	for i, s := range samples {
		if !bots[i].MatchString(s) {
			t.Errorf("pattern %d %q does not match %q", i, builtinBots[i], s)
		}
	}
}
