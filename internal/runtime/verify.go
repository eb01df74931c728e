package runtime

import (
	"bytes"
	"crypto/x509"
	"errors"
	"strconv"
	"time"
)

// CertificateError is a peer's certificate chain that failed verification,
// with the code and reason OpenSSL gives it (X509_V_ERR_*,
// X509_verify_cert_error_string), which nginx and OpenResty report.
type CertificateError struct {
	Code   int
	Reason string
}

// Error is OpenResty's wording of a failed tcpsock:sslhandshake, e.g.
// "20: unable to get local issuer certificate".
func (e *CertificateError) Error() string { return strconv.Itoa(e.Code) + ": " + e.Reason }

// The OpenSSL verification errors VerifyChain reports.
var (
	errUnspecified      = &CertificateError{1, "unspecified certificate verification error"}
	errNotYetValid      = &CertificateError{9, "certificate is not yet valid"}
	errExpired          = &CertificateError{10, "certificate has expired"}
	errSelfSigned       = &CertificateError{18, "self-signed certificate"}
	errSelfSignedChain  = &CertificateError{19, "self-signed certificate in certificate chain"}
	errNoLocalIssuer    = &CertificateError{20, "unable to get local issuer certificate"}
	errChainTooLong     = &CertificateError{22, "certificate chain too long"}
	errInvalidCA        = &CertificateError{24, "invalid CA certificate"}
	errUnsupportedUsage = &CertificateError{26, "unsupported certificate purpose"}
)

// noRoots is the trust store of a verification with no trusted
// certificates: every chain fails, as OpenSSL with an empty store.
var noRoots = x509.NewCertPool()

// VerifyChain verifies a peer's certificates (the peer's own first, then
// the chain it sent) against roots, as OpenSSL verifies a server for a
// client: nil roots trust nothing (not the system store), and depth, when
// not negative, is OpenSSL's verify depth (depth N accepts N certificates
// between the peer's and the trust anchor). It returns nil when the chain
// is trusted. The server name is not checked.
func VerifyChain(certs []*x509.Certificate, roots *x509.CertPool, depth int) *CertificateError {
	if len(certs) == 0 {
		return errUnspecified
	}
	if roots == nil {
		roots = noRoots
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	if err != nil {
		return chainError(certs, err)
	}
	if depth < 0 {
		return nil
	}
	for _, chain := range chains {
		if len(chain) <= depth+2 {
			return nil
		}
	}
	return errChainTooLong
}

// chainError is the OpenSSL error of a failed x509 verification.
func chainError(certs []*x509.Certificate, err error) *CertificateError {
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		switch {
		case len(certs) == 1 && selfSigned(certs[0]):
			return errSelfSigned
		case selfSigned(certs[len(certs)-1]):
			return errSelfSignedChain
		}
		return errNoLocalIssuer
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		switch invalid.Reason {
		case x509.Expired:
			if time.Now().Before(invalid.Cert.NotBefore) {
				return errNotYetValid
			}
			return errExpired
		case x509.NotAuthorizedToSign, x509.CANotAuthorizedForThisName:
			return errInvalidCA
		case x509.IncompatibleUsage:
			return errUnsupportedUsage
		case x509.TooManyIntermediates:
			return errChainTooLong
		}
	}
	return errUnspecified
}

// selfSigned reports whether c is its own issuer: its issuer is its
// subject and its own key verifies its signature (a CA or not).
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}
