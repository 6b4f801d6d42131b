package lifecycle

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"kycflow/outbound"
	"kycflow/workflows"
)

// StartReceiver serves the onboarding receiver on a loopback port with a
// fresh signing secret and returns the settings that point kycflow at it.
// It records each call in the Arrivals target points to at the time.
func StartReceiver(target *atomic.Pointer[Arrivals]) (environ []string, stop func(), err error) {
	secret := make(outbound.Secret, 32)
	rand.Read(secret)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: receiver(secret, target), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return []string{"KYCFLOW_ONBOARDING_URL=http://" + ln.Addr().String() + "/onboarding",
		"KYCFLOW_ONBOARDING_KEYS=whsec_" + base64.StdEncoding.EncodeToString(secret)}, func() { srv.Close() }, nil
}

// receiver is the downstream onboarding endpoint: it checks each call's
// signature and decision (a failure counts as an error) and records it as
// its verification's completion in the arrivals target points to.
func receiver(secret outbound.Secret, target *atomic.Pointer[Arrivals]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arr := target.Load()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		id := r.Header.Get("webhook-id")
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		var msg struct {
			ScanRef  string             `json:"scanRef"`
			Decision workflows.Decision `json:"decision"`
		}
		if err != nil || json.Unmarshal(body, &msg) != nil {
			arr.Fail()
			w.WriteHeader(http.StatusOK) // a repeat would not parse either
			return
		}
		if outbound.Verify(secret, id, ts, body, r.Header.Get("webhook-signature")) != nil || msg.Decision != workflows.DecisionApproved {
			arr.Fail()
		}
		arr.Reach(msg.ScanRef)
		w.WriteHeader(http.StatusOK)
	})
}
