package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycflow/internal/testtemporal"
	"kycflow/store"
	"kycflow/workflows"
)

// Payloads are encrypted at rest and still drive the lifecycle; purge
// removes them past the retention period while the timeline stays, and a
// purged event cannot be redriven.
func TestPayloadsEncryptedAtRestThenPurged(t *testing.T) {
	ts := testtemporal.New(t)
	keys := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), "KYCFLOW_PAYLOAD_KEYS="+keys)
	body := kycBody(t, "kyc_manual_approved.json", "enc-1", 1)
	r := sys.post(t, "kyc", body, signed(body))
	if r.Code != 200 {
		t.Fatalf("post = %+v", r)
	}
	sys.waitUntil(t, "enc-1", 30*time.Second, decidedApproved)

	sealed, err := sys.db.InboxEvent(context.Background(), r.ID) // this handle has no keys
	if err != nil {
		t.Fatal(err)
	}
	if sealed.BodyKeyID != "k1" || !errors.Is(sealed.SealErr, store.ErrPayloadKey) {
		t.Fatalf("stored row: key %q, err %v; want sealed with k1", sealed.BodyKeyID, sealed.SealErr)
	}

	out, errOut, err := runBinary(t, []string{"KYCFLOW_DATABASE_URL=" + sys.cfg.DatabaseURL, "KYCFLOW_PAYLOAD_KEYS=" + keys}, "purge", "--older-than", "1ns")
	if err != nil || !strings.HasPrefix(out, "purged 1 payload(s)") {
		t.Fatalf("purge: %v, printed %q\n%s", err, out, errOut)
	}
	purged, err := sys.db.InboxEvent(context.Background(), r.ID)
	if err != nil || !purged.PurgedAt.Valid || len(purged.Body) != 0 {
		t.Errorf("after purge: %+v, %v", purged, err)
	}
	d, _ := sys.verification(t, "enc-1")
	if d.count(workflows.EntryDecided) != 1 || d.count(workflows.EntryReceived) != 1 {
		t.Errorf("timeline after purge = %+v; want it whole", d.Timeline)
	}
	if code, _ := sys.postJSON(t, "/v1/events/"+itoa(r.ID)+"/redrive", ""); code != http.StatusConflict {
		t.Errorf("redrive of a purged event = %d, want 409", code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
