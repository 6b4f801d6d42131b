package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"kycflow/internal/testenv"
	"kycflow/store"
)

func TestServeEndToEndPostgres(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	proxied, proxy := testenv.ProxyURL(t, dbURL)
	s := startServe(t, "KYCFLOW_DATABASE_URL="+proxied) // default KYCFLOW_INGEST_TIMEOUT
	db, err := store.Open(context.Background(), store.Options{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rows := func() int {
		c, err := db.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c[store.StatusPending] + c[store.StatusQuarantined]
	}

	body := fixture(t, "kyc_manual_approved.json")
	first := s.post(t, "kyc", body, signed(body))
	if first.Code != 200 || first.Status != "accepted" || first.ID == 0 {
		t.Fatalf("first delivery = %+v, want 200 accepted", first)
	}
	stored, err := db.InboxEvent(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored.Body, body) || stored.Status != store.StatusPending {
		t.Errorf("stored body identical = %v, status %q", bytes.Equal(stored.Body, body), stored.Status)
	}

	if again := s.post(t, "kyc", body, signed(body)); again.Code != 200 || again.Status != "duplicate" || again.ID != first.ID {
		t.Errorf("second delivery = %+v, want 200 duplicate id %d", again, first.ID)
	}
	altered := bytes.Clone(body)
	altered[100] ^= 0x01
	if r := s.post(t, "kyc", altered, signed(body)); r.Code != 401 || r.Error != "invalid signature" {
		t.Errorf("altered body = %+v, want 401 invalid signature", r)
	}
	if n := rows(); n != 1 {
		t.Errorf("rows after duplicate and forgery = %d, want 1", n)
	}

	junk := []byte("<xml>not json</xml>")
	q := s.post(t, "kyc", junk, signed(junk))
	if q.Code != 202 || q.Status != "quarantined" {
		t.Errorf("signed non-JSON = %+v, want 202 quarantined", q)
	}
	if e, err := db.InboxEvent(ctx, q.ID); err != nil || e.Status != store.StatusQuarantined || !bytes.Equal(e.Body, junk) {
		t.Errorf("quarantined row = %+v, %v", e, err)
	}

	// Authentic but unusable: odd characters in keys, wrong types in the
	// fields the lifecycle reads. Stored and quarantined on PostgreSQL too.
	for _, odd := range []string{`{"scanRef":"s-nul","clientId":"a\u0000b"}`, `{"scanRef":"s\u0000x"}`, `{"scanRef":"s-type","status":"APPROVED"}`} {
		b := []byte(odd)
		if r := s.post(t, "kyc", b, signed(b)); r.Code != 202 || r.Status != "quarantined" {
			t.Errorf("%s = %+v, want 202 quarantined", odd, r)
		}
	}

	big := bytes.Repeat([]byte(" "), 6<<20)
	if r := s.post(t, "kyc", big, signed(big)); r.Code != 413 {
		t.Errorf("6 MiB body = %d, want 413", r.Code)
	}

	// The database goes away: 503 with Retry-After, fast, and nothing partial.
	proxy.Stop()
	during := fixture(t, "kyc_auto_suspected.json")
	start := time.Now()
	r := s.post(t, "kyc", during, signed(during))
	elapsed := time.Since(start)
	if r.Code != 503 || r.RetryAfter == "" {
		t.Errorf("database down = %d Retry-After %q, want 503 with Retry-After", r.Code, r.RetryAfter)
	}
	if elapsed > 2*time.Second {
		t.Errorf("503 took %v, want about a second at most", elapsed)
	}
	t.Logf("503 answered in %v", elapsed)
	if resp, err := http.Get(s.url + "/readyz"); err != nil || resp.StatusCode != 503 {
		t.Errorf("readyz with the database down = %v %v, want 503", resp.StatusCode, err)
	}

	// It comes back: the same delivery succeeds without a restart.
	proxy.Start()
	waitFor(t, 15*time.Second, func() bool { return s.post(t, "kyc", during, signed(during)).Code == 200 })
	if n := rows(); n != 6 {
		t.Errorf("rows after recovery = %d, want 6", n)
	}
}

func TestServeConcurrentSameBodyPostgres(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	s := startServe(t, "KYCFLOW_DATABASE_URL="+dbURL)
	body := fixture(t, "kyc_manual_approved.json")
	const n = 50
	var wg sync.WaitGroup
	began := time.Now()
	replies := make(chan reply, n)
	for range n {
		wg.Go(func() { replies <- s.post(t, "kyc", body, signed(body)) })
	}
	wg.Wait()
	t.Logf("50 deliveries in %v", time.Since(began))
	close(replies)
	ids, accepted := map[int64]bool{}, 0
	for r := range replies {
		if r.Code != 200 {
			t.Errorf("reply = %+v, want 200", r)
		}
		ids[r.ID] = true
		if r.Status == "accepted" {
			accepted++
		}
	}
	if len(ids) != 1 || accepted != 1 {
		t.Errorf("ids %v, accepted %d; want one id, accepted once", ids, accepted)
	}
	db, err := store.Open(context.Background(), store.Options{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.InboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StatusPending] != 1 {
		t.Errorf("rows = %v, want exactly one", counts)
	}
}

func TestServeDefaultsToSQLite(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, "KYCFLOW_DATA_DIR="+dir)
	body := fixture(t, "aml_monitoring_alert.json")
	if r := s.post(t, "aml", body, signed(body)); r.Code != 200 || r.Status != "accepted" {
		t.Fatalf("aml delivery = %+v", r)
	}
	if _, err := os.Stat(dir + "/" + store.SQLiteFile); err != nil {
		t.Errorf("embedded database file: %v", err)
	}
}
