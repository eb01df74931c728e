// Package dns is Kong's DNS client (kong/resty/dns/client.lua, the one
// kong.conf's dns_* properties configure): it resolves the host names of
// services and upstream targets over UDP (TCP when an answer is
// truncated) with github.com/miekg/dns.
//
// A name is looked up in the hosts file first (dns_hostsfile, read once),
// then asked of the name servers (dns_resolver, else those of
// /etc/resolv.conf, whose search, ndots, timeout, attempts and rotate
// options apply) for each record type of dns_order in turn: LAST (the type
// that last succeeded for the name), SRV, A, AAAA, CNAME (dereferenced).
// Answers are cached for their records' smallest TTL (dns_valid_ttl
// overrides it), "name error" and empty answers for dns_not_found_ttl,
// other server errors for dns_error_ttl. An expired entry is still served
// for dns_stale_ttl while a background query refreshes it; a failed
// refresh keeps a stale answer with records. The cache holds at most
// dns_cache_size entries, the least recently used going first, and
// concurrent queries for one name and type share one query unless
// dns_no_sync is set.
//
// Resolve returns a name's records (the balancer expands SRV records
// into addresses); ToIP returns one address and port, Kong's toip: A and
// AAAA answers are used in turn, SRV records by weighted round-robin over
// the lowest priority, their port replacing the caller's unless 0.
package dns
