package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kycflow/idenfy"
	"kycflow/internal/testenv"
	"kycflow/store"
)

// badCase is one hostile or broken request and what must come of it.
type badCase struct {
	name    string
	method  string // POST when empty
	route   string // kyc when empty
	body    []byte
	sig     *string // nil: sign body with the test key; "": no header
	headers map[string]string
	raw     func(t *testing.T, addr string) int // sends the request itself (malformed HTTP); returns the status, 0 for a closed connection
	guarded bool                                // sent to the serve with an enforced IP allowlist
	want    int
	stored  store.InboxStatus // "" when nothing may be stored
}

func str(s string) *string { return &s }

// TestBadInput sends every hostile or broken request of the table to a
// real serve over real HTTP and checks the exact status and what was (not)
// stored: nothing unauthentic is ever kept, nothing authentic is ever lost.
func TestBadInput(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	srv := startServe(t, "KYCFLOW_DATABASE_URL="+dbURL, "KYCFLOW_MAX_BODY_BYTES=65536")
	// The same service behind an allowlist, with no proxy trusted.
	guarded := startServe(t, "KYCFLOW_DATABASE_URL="+dbURL, "KYCFLOW_ALLOWED_IPS=203.0.113.0/24", "KYCFLOW_ALLOWLIST_MODE=enforce")
	db, err := store.Open(context.Background(), store.Options{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	good := fixture(t, "kyc_manual_approved.json")
	fresh := func(prefix string) []byte { // a new scanRef of iDenfy's length: the prefix replaces the fixture's first characters
		const fixtureRef = "5b6c0a2e-2f1d-11ef-9a1b-0242ac120002"
		return bytes.Replace(good, []byte(`"scanRef": "`+fixtureRef[:len(prefix)]), []byte(`"scanRef": "`+prefix), 1)
	}
	validSig := idenfy.Sign(good, []byte(testKey))
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x01
	deep := strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000)
	huge := bytes.Replace(fresh("huge-"), []byte(`"final": true`), []byte(`"final": true, "riskScore": 1e999999, "sessionNumber": 123456789012345678901234567890`), 1)
	badUTF8Ref := bytes.Replace(good, []byte(`"scanRef": "`), []byte("\"scanRef\": \"\xff\xfe"), 1)
	badUTF8Elsewhere := bytes.Replace(fresh("utf8-"), []byte(`"clientId": "`), []byte("\"clientId\": \"\xc3\x28"), 1)
	dupKeys := []byte(`{"final": true, "scanRef": "dup-keys-a", "scanRef": "dup-keys-b", "clientId": "c-1", "status": {"overall": "APPROVED"}}`)
	over := append([]byte(`{"scanRef": "big", "pad": "`), bytes.Repeat([]byte("x"), 70_000)...)
	over = append(over, '"', '}')
	nulRef := bytes.Replace(good, []byte(`"scanRef": "`), []byte(`"scanRef": "nul\u0000`), 1)

	cases := []badCase{
		{name: "missing signature", body: good, sig: str(""), want: 401},
		{name: "short signature", body: good, sig: str(validSig[:20]), want: 401},
		{name: "long signature", body: good, sig: str(validSig + "00"), want: 401},
		{name: "non-hex signature", body: good, sig: str(strings.Repeat("zz", 32)), want: 401},
		{name: "signature with a sha256= prefix", body: good, sig: str("sha256=" + validSig), want: 401},
		{name: "signature by a wrong key", body: good, sig: str(idenfy.Sign(good, []byte("not-the-key"))), want: 401},
		{name: "body altered by one byte", body: flipped, sig: str(validSig), want: 401},
		{name: "signature over a different body", body: good, sig: str(idenfy.Sign([]byte("{}"), []byte(testKey))), want: 401},
		{name: "spoofed X-Forwarded-For from an untrusted peer", guarded: true, body: fresh("xff-"), headers: map[string]string{"X-Forwarded-For": "203.0.113.7"}, want: 403},
		{name: "allowlisted route, peer not allowed", guarded: true, body: fresh("peer-"), want: 403},
		{name: "unsigned empty body", body: []byte{}, sig: str(""), want: 401},
		{name: "uppercase hex signature (same bytes)", body: fresh("upper-"), sig: str(strings.ToUpper(idenfy.Sign(fresh("upper-"), []byte(testKey)))), want: 200, stored: store.StatusPending},
		{name: "valid delivery", body: good, want: 200, stored: store.StatusPending},
		{name: "the same bytes again", body: good, want: 200},
		{name: "valid signature, unknown event type", body: fresh("newtype-"), headers: map[string]string{idenfy.EventTypeHeader: "IDENTIFICATION_SOMETHING_NEW"}, want: 200, stored: store.StatusPending},
		{name: "valid signature, text/plain content type", body: fresh("ctype-"), headers: map[string]string{"Content-Type": "text/plain"}, want: 200, stored: store.StatusPending},
		{name: "signed empty body", body: []byte{}, want: 202, stored: store.StatusQuarantined},
		{name: "signed truncated JSON", body: good[:len(good)/2], want: 202, stored: store.StatusQuarantined},
		{name: "signed JSON null", body: []byte("null"), want: 202, stored: store.StatusQuarantined},
		{name: "signed JSON array", body: []byte(`[{"scanRef":"x"}]`), want: 202, stored: store.StatusQuarantined},
		{name: "signed JSON with duplicate keys", body: dupKeys, want: 202, stored: store.StatusQuarantined},
		{name: "signed deeply nested JSON", body: []byte(deep), want: 202, stored: store.StatusQuarantined},
		{name: "signed huge numbers outside routed fields", body: huge, want: 200, stored: store.StatusPending},
		{name: "signed invalid UTF-8 in the scanRef", body: badUTF8Ref, want: 202, stored: store.StatusQuarantined},
		{name: "signed invalid UTF-8 elsewhere", body: badUTF8Elsewhere, want: 202, stored: store.StatusQuarantined},
		{name: "signed NUL in the scanRef", body: nulRef, want: 202, stored: store.StatusQuarantined},
		{name: "signed path-traversal scanRef", body: bytes.Replace(good, []byte("5b6c0a2e-2f1d-11ef-9a1b-0242ac120002"), []byte("../../etc/passwd"), 1),
			want: 202, stored: store.StatusQuarantined},
		{name: "signed body without scanRef", body: []byte(`{"final": true, "status": {"overall": "APPROVED"}}`), want: 202, stored: store.StatusQuarantined},
		{name: "signed 10 kB scanRef", body: []byte(`{"final": true, "scanRef": "` + strings.Repeat("a", 10_000) + `"}`), want: 202, stored: store.StatusQuarantined},
		{name: "signed KYC body on the AML route", route: "aml", body: fresh("wrongroute-"), want: 202, stored: store.StatusQuarantined},
		{name: "signed body over the limit", body: over, want: 413},
		{name: "unsigned body over the limit", body: over, sig: str(""), want: 413},
		{name: "body over the limit without Content-Length", raw: chunkedOver(over), want: 413},
		{name: "wrong method", method: http.MethodGet, body: nil, sig: str(""), want: 405},
		{name: "unknown route", route: "kyx", body: good, want: 404},
		{name: "enormous header", body: fresh("bighdr-"), headers: map[string]string{"X-Padding": strings.Repeat("p", 128<<10)}, want: 431},
		{name: "slowloris headers", raw: slowloris, want: 0},
		{name: "two signature headers, the first wrong", raw: twoSignatures(fresh("twosig-"), validSig), want: 401},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		base := srv.url
		if c.guarded {
			base = guarded.url
		}
		addr := strings.TrimPrefix(base, "http://")
		before, err := db.InboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var code int
		if c.raw != nil {
			code = c.raw(t, addr)
		} else {
			code = send(t, base, c)
		}
		after, err := db.InboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		added := map[store.InboxStatus]int{}
		total := 0
		for st, n := range after {
			if d := n - before[st]; d != 0 {
				added[st], total = d, total+d
			}
		}
		okStored := (c.stored == "" && total == 0) || (c.stored != "" && total == 1 && added[c.stored] == 1)
		mark := "ok"
		if code != c.want || !okStored {
			mark = "FAIL"
			t.Errorf("%s: status %d (want %d), stored %v (want %q)", c.name, code, c.want, added, c.stored)
		}
		t.Logf("%-4s %-45s %3d  stored: %s", mark, c.name, code, orNone(string(c.stored)))
	}
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

func send(t *testing.T, base string, c badCase) int {
	t.Helper()
	method, route := c.method, c.route
	if method == "" {
		method = http.MethodPost
	}
	if route == "" {
		route = "kyc"
	}
	req, err := http.NewRequest(method, base+"/webhooks/idenfy/"+route, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case c.sig == nil:
		req.Header.Set(idenfy.SignatureHeader, idenfy.Sign(c.body, []byte(testKey)))
	case *c.sig != "":
		req.Header.Set(idenfy.SignatureHeader, *c.sig)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// rawStatus writes a raw HTTP request and reads the status line; 0 when
// the server closes the connection without one.
func rawStatus(t *testing.T, addr string, write func(net.Conn)) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	write(conn)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return 0
	}
	var proto string
	var code int
	fmt.Sscanf(line, "%s %d", &proto, &code)
	return code
}

func chunkedOver(body []byte) func(*testing.T, string) int {
	return func(t *testing.T, addr string) int {
		return rawStatus(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "POST /webhooks/idenfy/kyc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n%s: %s\r\n\r\n",
				idenfy.SignatureHeader, idenfy.Sign(body, []byte(testKey)))
			for i := 0; i < len(body); i += 8192 {
				chunk := body[i:min(i+8192, len(body))]
				fmt.Fprintf(c, "%x\r\n%s\r\n", len(chunk), chunk)
			}
			fmt.Fprint(c, "0\r\n\r\n")
		})
	}
}

// slowloris dribbles header bytes; the server must drop the connection
// once its header timeout passes (no status line, nothing stored).
func slowloris(t *testing.T, addr string) int {
	return rawStatus(t, addr, func(c net.Conn) {
		fmt.Fprint(c, "POST /webhooks/idenfy/kyc HTTP/1.1\r\nHost: x\r\n")
		for i := 0; i < 8; i++ {
			if _, err := fmt.Fprintf(c, "X-Slow-%d: 1\r\n", i); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	})
}

func twoSignatures(body []byte, wrong string) func(*testing.T, string) int {
	return func(t *testing.T, addr string) int {
		return rawStatus(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "POST /webhooks/idenfy/kyc HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s: %s\r\n%s: %s\r\n\r\n%s",
				len(body), idenfy.SignatureHeader, wrong, idenfy.SignatureHeader, idenfy.Sign(body, []byte(testKey)), body)
		})
	}
}
