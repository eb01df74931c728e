package runtime

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/silverback-gw/silverback/internal/entities"
)

// CertCache keeps the parsed form of certificates entities and of CA
// certificate sets, outside the snapshots, so that a rebuild does not
// parse an unchanged certificate again. Entries are found by id and kept
// while the PEM they were parsed from is unchanged. Lookups take no lock
// once an entry is parsed. Errors never include key material.
type CertCache struct {
	certs  sync.Map      // certificate id → *parsedCert
	pools  sync.Map      // CA ids joined by "," → *parsedPool
	pruned atomic.Uint64 // the snapshot generation last pruned for
}

type parsedCert struct {
	src   entities.Certificate
	pairs []tls.Certificate // cert, then cert_alt when set
	err   error
}

type parsedPool struct {
	pems string
	pool *x509.CertPool
}

// errCertificate is the error for a certificate whose PEM does not parse;
// it never quotes the PEM.
var errCertificate = errors.New("invalid certificate or key")

// Pairs returns c's certificate and, when set, its cert_alt, parsed.
func (cc *CertCache) Pairs(c *entities.Certificate) ([]tls.Certificate, error) {
	if v, ok := cc.certs.Load(c.ID); ok {
		p := v.(*parsedCert)
		if p.src.Cert == c.Cert && p.src.Key == c.Key && p.src.CertAlt == c.CertAlt && p.src.KeyAlt == c.KeyAlt {
			return p.pairs, p.err
		}
	}
	p := &parsedCert{src: *c}
	p.pairs, p.err = parsePairs(c)
	cc.certs.Store(c.ID, p)
	return p.pairs, p.err
}

func parsePairs(c *entities.Certificate) ([]tls.Certificate, error) {
	pair, err := tls.X509KeyPair([]byte(c.Cert), []byte(c.Key))
	if err != nil {
		return nil, errCertificate
	}
	pairs := []tls.Certificate{pair}
	if c.CertAlt != "" && c.KeyAlt != "" {
		alt, err := tls.X509KeyPair([]byte(c.CertAlt), []byte(c.KeyAlt))
		if err != nil {
			return nil, errCertificate
		}
		pairs = append(pairs, alt)
	}
	return pairs, nil
}

// Pool returns a pool of the CA certificates ids names in t, or an error
// when one is missing or does not parse.
func (cc *CertCache) Pool(t *TLS, ids []string) (*x509.CertPool, error) {
	var pems strings.Builder
	for _, id := range ids {
		pem, ok := t.CACertificates[id]
		if !ok {
			return nil, errors.New("CA certificate " + id + " not found")
		}
		pems.WriteString(pem)
	}
	key := strings.Join(ids, ",")
	if v, ok := cc.pools.Load(key); ok && v.(*parsedPool).pems == pems.String() {
		return v.(*parsedPool).pool, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(pems.String())) {
		return nil, errors.New("CA certificates do not parse")
	}
	cc.pools.Store(key, &parsedPool{pems: pems.String(), pool: pool})
	return pool, nil
}

// Prune forgets the certificates and CA sets snap no longer has, the
// first time it is called for snap's generation; other calls cost one
// atomic load. Any goroutine may call it.
func (cc *CertCache) Prune(snap *Snapshot) {
	g := cc.pruned.Load()
	if snap == nil || snap.TLS == nil || g == snap.Generation || !cc.pruned.CompareAndSwap(g, snap.Generation) {
		return
	}
	t := snap.TLS
	cc.certs.Range(func(id, _ any) bool {
		if _, ok := t.Certificates[id.(string)]; !ok {
			cc.certs.Delete(id)
		}
		return true
	})
	cc.pools.Range(func(key, _ any) bool {
		for id := range strings.SplitSeq(key.(string), ",") {
			if _, ok := t.CACertificates[id]; !ok {
				cc.pools.Delete(key)
				break
			}
		}
		return true
	})
}
