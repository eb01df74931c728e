package admin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/kong/go-kong/kong"
)

// TestGoKong drives the Admin API with Kong's own Go client, as decK and
// the Kong Ingress Controller do.
func TestGoKong(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	client, err := kong.NewClient(kong.String(e.srv.URL), e.srv.Client())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("info", func(t *testing.T) {
		info, err := client.Info.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Version != "3.9.1" || info.Configuration.Database != "sqlite" {
			t.Errorf("info = %+v %+v", info, info.Configuration)
		}
		v, err := kong.ParseSemanticVersion(kong.VersionFromInfo(mustRoot(t, client)))
		if err != nil || v.Major() != 3 || v.Minor() != 9 {
			t.Errorf("version = %v, %v", v, err)
		}
		server, err := client.Server(ctx)
		if err != nil || server != "kong/3.9.1" {
			t.Errorf("server = %q, %v", server, err)
		}
		st, err := client.Status(ctx)
		if err != nil || !st.Database.Reachable || st.Server.TotalRequests == 0 {
			t.Errorf("status = %+v, %v", st, err)
		}
		exists, err := client.Tags.Exists(ctx)
		if err != nil || !exists {
			t.Errorf("tags exist = %v, %v", exists, err)
		}
	})

	t.Run("services and routes", func(t *testing.T) {
		svc, err := client.Services.Create(ctx, &kong.Service{Name: kong.String("svc"), URL: kong.String("https://example.com:8443/api"),
			Tags: kong.StringSlice("team-a", "prod")})
		if err != nil {
			t.Fatal(err)
		}
		if *svc.Protocol != "https" || *svc.Host != "example.com" || *svc.Port != 8443 || *svc.Path != "/api" || *svc.Retries != 5 {
			t.Errorf("service = %+v", svc)
		}
		got, err := client.Services.Get(ctx, kong.String("svc"))
		if err != nil || *got.ID != *svc.ID {
			t.Fatalf("get = %+v, %v", got, err)
		}
		got.Retries = kong.Int(3)
		upd, err := client.Services.Update(ctx, got)
		if err != nil || *upd.Retries != 3 {
			t.Errorf("update = %+v, %v", upd, err)
		}
		// upsert by id: PUT creates
		id := "0a1b2c3d-0000-4000-8000-000000000001"
		up, err := client.Services.Create(ctx, &kong.Service{ID: kong.String(id), Name: kong.String("svc2"), Host: kong.String("two.com"),
			Tags: kong.StringSlice("team-b")})
		if err != nil || *up.ID != id {
			t.Fatalf("upsert = %+v, %v", up, err)
		}
		up.Host = kong.String("three.com")
		up, err = client.Services.Create(ctx, up)
		if err != nil || *up.Host != "three.com" {
			t.Errorf("upsert again = %+v, %v", up, err)
		}
		route, err := client.Routes.CreateInService(ctx, svc.ID, &kong.Route{Name: kong.String("r1"),
			Paths: kong.StringSlice("/a"), Methods: kong.StringSlice("GET")})
		if err != nil || *route.Service.ID != *svc.ID || *route.StripPath != true {
			t.Fatalf("route = %+v, %v", route, err)
		}
		routes, _, err := client.Routes.ListForService(ctx, svc.ID, nil)
		if err != nil || len(routes) != 1 {
			t.Errorf("routes for service = %v, %v", routes, err)
		}
		rs, err := client.Services.GetForRoute(ctx, route.ID)
		if err != nil || *rs.ID != *svc.ID {
			t.Errorf("service for route = %v, %v", rs, err)
		}
		route.Paths = kong.StringSlice("/b")
		route, err = client.Routes.Update(ctx, route)
		if err != nil || *route.Paths[0] != "/b" {
			t.Errorf("route update = %+v, %v", route, err)
		}
		// deleting a service with routes is refused
		err = client.Services.Delete(ctx, svc.ID)
		var apiErr *kong.APIError
		if !errors.As(err, &apiErr) || apiErr.Code() != http.StatusBadRequest {
			t.Errorf("delete service with routes = %v", err)
		}
		if err := client.Routes.Delete(ctx, kong.String("r1")); err != nil {
			t.Error(err)
		}
		if err := client.Services.Delete(ctx, svc.ID); err != nil {
			t.Error(err)
		}
		if _, err := client.Services.Get(ctx, svc.ID); !kong.IsNotFoundErr(err) {
			t.Errorf("get deleted = %v", err)
		}
	})

	t.Run("consumers pagination and tags", func(t *testing.T) {
		for i := range 7 {
			tags := []string{"all"}
			if i%2 == 0 {
				tags = append(tags, "even")
			}
			_, err := client.Consumers.Create(ctx, &kong.Consumer{Username: kong.String(fmt.Sprintf("user%d", i)),
				CustomID: kong.String(fmt.Sprintf("c%d", i)), Tags: kong.StringSlice(tags...)})
			if err != nil {
				t.Fatal(err)
			}
		}
		var names []string
		opt := &kong.ListOpt{Size: 2}
		pages := 0
		for opt != nil {
			var page []*kong.Consumer
			page, opt, err = client.Consumers.List(ctx, opt)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range page {
				names = append(names, *c.Username)
			}
		}
		sort.Strings(names)
		if len(names) != 7 || pages != 4 {
			t.Errorf("paged %d consumers in %d pages", len(names), pages)
		}
		even, _, err := client.Consumers.List(ctx, &kong.ListOpt{Tags: kong.StringSlice("even", "all"), MatchAllTags: true})
		if err != nil || len(even) != 4 {
			t.Errorf("even = %d, %v", len(even), err)
		}
		anyOf, _, err := client.Consumers.List(ctx, &kong.ListOpt{Tags: kong.StringSlice("even", "nope")})
		if err != nil || len(anyOf) != 4 {
			t.Errorf("any of = %d, %v", len(anyOf), err)
		}
		all, err := client.Consumers.ListAll(ctx)
		if err != nil || len(all) != 7 {
			t.Errorf("all = %d, %v", len(all), err)
		}
		c, err := client.Consumers.GetByCustomID(ctx, kong.String("c3"))
		if err != nil || *c.Username != "user3" {
			t.Errorf("by custom id = %v, %v", c, err)
		}
		if _, err := client.Consumers.GetByCustomID(ctx, kong.String("nope")); !kong.IsNotFoundErr(err) {
			t.Errorf("by missing custom id = %v", err)
		}
		c.CustomID = kong.String("c3-new")
		if c, err = client.Consumers.Update(ctx, c); err != nil || *c.CustomID != "c3-new" {
			t.Errorf("update = %v, %v", c, err)
		}
		if err := client.Consumers.Delete(ctx, kong.String("user3")); err != nil {
			t.Error(err)
		}
	})

	t.Run("plugins", func(t *testing.T) {
		svc, err := client.Services.Create(ctx, &kong.Service{Name: kong.String("psvc"), Host: kong.String("p.com")})
		if err != nil {
			t.Fatal(err)
		}
		p, err := client.Plugins.CreateForService(ctx, svc.ID, &kong.Plugin{Name: kong.String("test-plugin"),
			Config: kong.Configuration{"minute": 5}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Config["minute"] != 5.0 || p.Config["policy"] != "local" || *p.Service.ID != *svc.ID || len(p.Protocols) != 4 {
			t.Errorf("plugin = %+v", p)
		}
		ok, msg, err := client.Plugins.Validate(ctx, &kong.Plugin{Name: kong.String("test-plugin"), Config: kong.Configuration{"minute": -1}})
		if err != nil || ok || msg == "" {
			t.Errorf("validate = %v %q %v", ok, msg, err)
		}
		ok, _, err = client.Plugins.Validate(ctx, &kong.Plugin{Name: kong.String("test-plugin")})
		if err != nil || !ok {
			t.Errorf("validate valid = %v %v", ok, err)
		}
		schema, err := client.Plugins.GetFullSchema(ctx, kong.String("test-plugin"))
		if err != nil || schema["fields"] == nil {
			t.Errorf("schema = %v, %v", schema, err)
		}
		p.Config["minute"] = 6
		p, err = client.Plugins.UpdateForService(ctx, svc.ID, p)
		if err != nil || p.Config["minute"] != 6.0 {
			t.Errorf("update = %+v, %v", p, err)
		}
		_, err = client.Plugins.CreateForService(ctx, svc.ID, &kong.Plugin{Name: kong.String("test-plugin")})
		var apiErr *kong.APIError
		if !errors.As(err, &apiErr) || apiErr.Code() != http.StatusConflict {
			t.Errorf("duplicate plugin = %v", err)
		}
		list, err := client.Plugins.ListAllForService(ctx, svc.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("list = %v, %v", list, err)
		}
		global, err := client.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("other-plugin"), InstanceName: kong.String("global-1")})
		if err != nil {
			t.Fatal(err)
		}
		got, err := client.Plugins.Get(ctx, kong.String("global-1"))
		if err != nil || *got.ID != *global.ID {
			t.Errorf("by instance name = %v, %v", got, err)
		}
		all, err := client.Plugins.ListAll(ctx)
		if err != nil || len(all) != 2 {
			t.Errorf("all = %d, %v", len(all), err)
		}
		if err := client.Plugins.DeleteForService(ctx, svc.ID, p.ID); err != nil {
			t.Error(err)
		}
		if err := client.Plugins.Delete(ctx, global.ID); err != nil {
			t.Error(err)
		}
		_, err = client.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("missing-plugin")})
		if err == nil {
			t.Error("unknown plugin accepted")
		}
	})

	t.Run("upstreams and targets", func(t *testing.T) {
		up, err := client.Upstreams.Create(ctx, &kong.Upstream{Name: kong.String("backend"), HashOn: kong.String("header"),
			HashOnHeader: kong.String("x-user")})
		if err != nil {
			t.Fatal(err)
		}
		if *up.Algorithm != "consistent-hashing" || *up.Slots != 10000 || *up.Healthchecks.Active.HTTPPath != "/" {
			t.Errorf("upstream = %+v", up)
		}
		tg, err := client.Targets.Create(ctx, up.Name, &kong.Target{Target: kong.String("10.1.1.1:80")})
		if err != nil || *tg.Weight != 100 {
			t.Fatalf("target = %+v, %v", tg, err)
		}
		// go-kong creates targets with an id through PUT, falling back to POST on 404.
		id := "0a1b2c3d-0000-4000-8000-000000000002"
		tg2, err := client.Targets.Create(ctx, up.ID, &kong.Target{ID: kong.String(id), Target: kong.String("10.1.1.2"), Weight: kong.Int(5)})
		if err != nil || *tg2.ID != id || *tg2.Target != "10.1.1.2:8000" {
			t.Fatalf("target with id = %+v, %v", tg2, err)
		}
		tg2.Weight = kong.Int(50)
		tg2, err = client.Targets.Create(ctx, up.ID, tg2)
		if err != nil || *tg2.Weight != 50 {
			t.Errorf("target update through create = %+v, %v", tg2, err)
		}
		targets, err := client.Targets.ListAll(ctx, up.Name)
		if err != nil || len(targets) != 2 {
			t.Errorf("targets = %v, %v", targets, err)
		}
		upd, err := client.Targets.Update(ctx, up.Name, tg.Target, &kong.Target{Weight: kong.Int(1)})
		if err != nil || *upd.Weight != 1 {
			t.Errorf("target update = %+v, %v", upd, err)
		}
		if err := client.Targets.Delete(ctx, up.Name, tg.ID); err != nil {
			t.Error(err)
		}
		// /targets is disabled in Kong OSS, as is POST .../healthy (Kong 3 uses PUT).
		if _, _, err := client.Targets.ListAllTargets(ctx, nil); !kong.IsNotFoundErr(err) {
			t.Errorf("global targets = %v", err)
		}
		up.Slots = kong.Int(100)
		if up, err = client.Upstreams.Update(ctx, up); err != nil || *up.Slots != 100 {
			t.Errorf("upstream update = %v, %v", up, err)
		}
		if err := client.Upstreams.Delete(ctx, up.Name); err != nil {
			t.Error(err)
		}
		if _, err := client.Targets.ListAll(ctx, up.Name); !kong.IsNotFoundErr(err) {
			t.Errorf("targets of deleted upstream = %v", err)
		}
	})

	t.Run("certificates, snis and ca certificates", func(t *testing.T) {
		certPEM, keyPEM := genCert(t, "secure.example", false)
		cert, err := client.Certificates.Create(ctx, &kong.Certificate{Cert: kong.String(certPEM), Key: kong.String(keyPEM),
			SNIs: kong.StringSlice("secure.example", "*.secure.example")})
		if err != nil {
			t.Fatal(err)
		}
		if len(cert.SNIs) != 2 || *cert.SNIs[0] != "*.secure.example" {
			t.Errorf("certificate snis = %v", cert.SNIs)
		}
		got, err := client.Certificates.Get(ctx, kong.String("secure.example"))
		if err != nil || *got.ID != *cert.ID {
			t.Errorf("certificate by sni = %v, %v", got, err)
		}
		sni, err := client.SNIs.Create(ctx, &kong.SNI{Name: kong.String("extra.example"), Certificate: &kong.Certificate{ID: cert.ID}})
		if err != nil {
			t.Fatal(err)
		}
		snis, _, err := client.SNIs.ListForCertificate(ctx, cert.ID, nil)
		if err != nil || len(snis) != 3 {
			t.Errorf("snis for certificate = %d, %v", len(snis), err)
		}
		sni.Name = kong.String("extra2.example")
		if sni, err = client.SNIs.Update(ctx, sni); err != nil || *sni.Name != "extra2.example" {
			t.Errorf("sni update = %v, %v", sni, err)
		}
		cert.Tags = kong.StringSlice("tls")
		cert.SNIs = nil
		upd, err := client.Certificates.Update(ctx, cert)
		if err != nil || len(upd.SNIs) != 3 || *upd.Tags[0] != "tls" {
			t.Errorf("certificate update = %+v, %v", upd, err)
		}
		caPEM, _ := genCert(t, "Test CA", true)
		ca, err := client.CACertificates.Create(ctx, &kong.CACertificate{Cert: kong.String(caPEM)})
		if err != nil || ca.CertDigest == nil {
			t.Fatalf("ca = %+v, %v", ca, err)
		}
		cas, err := client.CACertificates.ListAll(ctx)
		if err != nil || len(cas) != 1 {
			t.Errorf("cas = %v, %v", cas, err)
		}
		if err := client.CACertificates.Delete(ctx, ca.ID); err != nil {
			t.Error(err)
		}
		if err := client.Certificates.Delete(ctx, cert.ID); err != nil {
			t.Error(err)
		}
		if _, err := client.SNIs.Get(ctx, kong.String("secure.example")); !kong.IsNotFoundErr(err) {
			t.Errorf("sni of deleted certificate = %v", err)
		}
	})
}

func mustRoot(t *testing.T, c *kong.Client) map[string]any {
	t.Helper()
	root, err := c.Root(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return root
}
