package ldaptest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// configure writes the certificate, slapd.conf and the directory's
// entries into s.dir and loads them into the database with slapadd.
func (s *Server) configure(users map[string]string) error {
	certPEM, keyPEM, err := certificate()
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"cert.pem":   certPEM,
		"key.pem":    keyPEM,
		"slapd.conf": []byte(s.slapdConf()),
		"data.ldif":  []byte(entries(users)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(s.dir, name), b, 0o600); err != nil {
			return err
		}
	}
	if err := os.Mkdir(filepath.Join(s.dir, "db"), 0o700); err != nil {
		return err
	}
	return run(slapaddPath, "-f", s.confPath(), "-l", filepath.Join(s.dir, "data.ldif"))
}

func (s *Server) confPath() string { return filepath.Join(s.dir, "slapd.conf") }

// slapdConf is a minimal slapd.conf: the schemas inetOrgPerson needs,
// the TLS certificate, one mdb database; userPassword serves binds only.
func (s *Server) slapdConf() string {
	path := func(name string) string { return `"` + filepath.Join(s.dir, name) + `"` }
	return strings.Join([]string{
		"include " + schemaDir + "/core.schema",
		"include " + schemaDir + "/cosine.schema",
		"include " + schemaDir + "/inetorgperson.schema",
		"modulepath " + moduleDir,
		"moduleload back_mdb",
		"pidfile " + path("slapd.pid"),
		"argsfile " + path("slapd.args"),
		"TLSCertificateFile " + path("cert.pem"),
		"TLSCertificateKeyFile " + path("key.pem"),
		"database mdb",
		"maxsize 10485760",
		`suffix "` + BaseDN + `"`,
		"directory " + path("db"),
		"access to attrs=userPassword by anonymous auth by * none",
		"access to * by * read",
	}, "\n") + "\n"
}

// entries is the LDIF of the base entry, ou=people and the users.
func entries(users map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n", BaseDN)
	fmt.Fprintf(&b, "dn: %s\nobjectClass: organizationalUnit\nou: people\n\n", PeopleDN)
	uids := make([]string, 0, len(users))
	for uid := range users {
		uids = append(uids, uid)
	}
	sort.Strings(uids)
	for _, uid := range uids {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s\n\n",
			uid, PeopleDN, uid, uid, uid, ssha(users[uid]))
	}
	return b.String()
}

// ssha is the {SSHA} form of a password slapd checks binds against:
// base64(sha1(password + salt) + salt).
func ssha(password string) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	sum := sha1.Sum(append([]byte(password), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// run runs a command, returning its output in the error when it fails.
func run(name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return errors.Join(fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err), errors.New(out.String()))
	}
	return nil
}
