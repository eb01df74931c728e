package jwt

// Registered claims Kong can check (claims_to_verify).
const (
	claimExp = "exp"
	claimNbf = "nbf"
)

// Kong's claim errors, reported as a JSON object by claim name.
const (
	msgNotNumber                = "must be a number"
	msgExpired                  = "token expired"
	msgNotYetValid              = "token not valid yet"
	msgExceedsMaximumExpiration = "exceeds maximum allowed expiration"
)

// verifyClaims checks the registered claims named in verify against now
// (Unix seconds) as Kong's verify_registered_claims: each must be a JSON
// number, exp later than now, nbf not later than now. It returns the
// errors by claim, nil when there are none.
func verifyClaims(claims map[string]any, verify []string, now float64) map[string]string {
	var errs map[string]string
	for _, name := range verify {
		var msg string
		switch v, ok := claims[name].(float64); {
		case !ok:
			msg = msgNotNumber
		case name == claimExp && v <= now:
			msg = msgExpired
		case name == claimNbf && v > now:
			msg = msgNotYetValid
		default:
			continue
		}
		if errs == nil {
			errs = map[string]string{}
		}
		errs[name] = msg
	}
	return errs
}

// checkMaximumExpiration refuses a token whose exp is missing or more
// than maximum seconds after now (Kong's check_maximum_expiration).
func checkMaximumExpiration(claims map[string]any, maximum, now float64) map[string]string {
	if exp, ok := claims[claimExp].(float64); ok && exp-now <= maximum {
		return nil
	}
	return map[string]string{claimExp: msgExceedsMaximumExpiration}
}
