package store

import (
	"context"
	"sort"

	"github.com/silverback-gw/silverback/internal/entities"
)

// hooks are the entity-specific parts of Kong's DAO (kong/db/dao/*.lua).
type hooks struct {
	beforeWrite  func(ctx context.Context, t *Txn, row Row) error
	afterWrite   func(ctx context.Context, t *Txn, row Row) error
	afterRead    func(ctx context.Context, t *Txn, row Row) error
	beforeDelete func(ctx context.Context, t *Txn, row Row) error
}

func hooksFor(entity string) hooks {
	switch entity {
	case "certificates":
		return hooks{beforeWrite: checkCertificateSNIs, afterWrite: writeCertificateSNIs, afterRead: readCertificateSNIs}
	case "ca_certificates":
		return hooks{beforeDelete: checkCACertificateUnused}
	}
	return hooks{}
}

// certificateSNIs returns the names in a certificate row's transient snis
// field and whether the field was given (null counts: it removes all).
func certificateSNIs(row Row) ([]string, bool) {
	v, given := row["snis"]
	items, _ := v.([]any)
	names := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			names = append(names, s)
		}
	}
	return names, given
}

// checkCertificateSNIs refuses a list naming an SNI twice (reported in
// list order) or an SNI of another certificate (in name order), as Kong's
// parse_name_list and check_list_is_new do.
func checkCertificateSNIs(ctx context.Context, t *Txn, row Row) error {
	names, given := certificateSNIs(row)
	if !given {
		return nil
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return snisError(n + " is duplicated")
		}
		seen[n] = true
	}
	sort.Strings(names)
	for _, n := range names {
		other, err := t.GetBy(ctx, "snis", "name", n)
		if err != nil {
			return err
		}
		if other == nil {
			continue
		}
		if owner := entities.ForeignID(other, "certificate"); owner != row["id"] {
			return snisError(n + " already associated with existing certificate '" + owner + "'")
		}
	}
	return nil
}

func snisError(msg string) *Error {
	return newError(CodeSchemaViolation, "schema violation (snis: "+msg+")", map[string]any{"snis": msg})
}

// writeCertificateSNIs makes the certificate's SNI rows equal its snis list.
func writeCertificateSNIs(ctx context.Context, t *Txn, row Row) error {
	names, given := certificateSNIs(row)
	if !given {
		return nil
	}
	id := row["id"].(string)
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var stale []string
	err := t.Each(ctx, "snis", Query{ForeignField: "certificate", ForeignID: id}, func(r Row) error {
		name := r["name"].(string)
		if want[name] {
			delete(want, name)
		} else {
			stale = append(stale, r["id"].(string))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, sid := range stale {
		if _, err := t.Delete(ctx, "snis", sid); err != nil {
			return err
		}
	}
	for _, n := range names {
		if !want[n] {
			continue
		}
		if _, err := t.Insert(ctx, "snis", map[string]any{"name": n, "certificate": map[string]any{"id": id}}); err != nil {
			return err
		}
	}
	return nil
}

// readCertificateSNIs adds the sorted names of a certificate's SNIs.
func readCertificateSNIs(ctx context.Context, t *Txn, row Row) error {
	id, _ := row["id"].(string)
	names := []string{}
	err := t.Each(ctx, "snis", Query{ForeignField: "certificate", ForeignID: id}, func(r Row) error {
		names = append(names, r["name"].(string))
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	list := make([]any, len(names))
	for i, n := range names {
		list[i] = n
	}
	row["snis"] = list
	return nil
}

// checkCACertificateUnused refuses to delete a CA certificate that a
// service still lists (Kong's code 19).
func checkCACertificateUnused(ctx context.Context, t *Txn, row Row) error {
	id := row["id"].(string)
	var user string
	err := t.Each(ctx, "services", Query{}, func(s Row) error {
		cas, _ := s["ca_certificates"].([]any)
		for _, c := range cas {
			if c == id && user == "" {
				user = s["id"].(string)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if user != "" {
		return newError(CodeReferencedByOthers,
			"ca certificate "+id+" is still referenced by services (id = "+user+")", nil)
	}
	return nil
}
