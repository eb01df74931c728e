package balancer

// passive feeds a try's outcome to the passive checks (Kong's circuit
// breaker): connection failures and timeouts count as such, statuses are
// classified by the passive lists and other statuses are ignored.
func (b *Balancer) passive(a *Address, o Outcome) {
	c := &b.checks.passive
	switch {
	case o.Failure == FailureTCP:
		b.observe(a, evTCP, c)
	case o.Failure == FailureTimeout:
		b.observe(a, evTimeout, c)
	case c.unhealthyStatuses[o.Status]:
		b.observe(a, evHTTP, c)
	case c.healthyStatuses[o.Status]:
		b.observe(a, evSuccess, c)
	}
}
