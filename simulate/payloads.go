// Package simulate generates realistic, correctly signed iDenfy webhook
// sequences and sends them to a running kycflow. Personal data in the
// payloads is generated and obviously fake.
package simulate

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"kycflow/idenfy"
)

// Webhook is one delivery: route, event type header and raw body.
type Webhook struct {
	Route     idenfy.Kind
	EventType string
	Body      []byte
}

// NewID returns a random UUID-shaped identifier, like iDenfy's scanRefs.
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

var (
	firstNames = []string{"TESTA", "SAMPLO", "FAKEA", "DUMMIS", "PLACEHOLDA"}
	lastNames  = []string{"EXAMPLE", "SIMULATED", "FICTIVE", "NOTREAL", "MOCKERY"}
)

// person is one fake identity, stable across a verification's webhooks.
type person struct {
	first, last, docNumber, personalCode, dob, expiry, issued, clientIP string
}

func newPerson(r *mrand.Rand) person {
	year := 1960 + r.IntN(40)
	return person{
		first: firstNames[r.IntN(len(firstNames))], last: lastNames[r.IntN(len(lastNames))],
		docNumber: fmt.Sprintf("FAKE%06d", r.IntN(1_000_000)), personalCode: fmt.Sprintf("0%010d", r.Int64N(1e10)),
		dob:    fmt.Sprintf("%d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28)),
		expiry: fmt.Sprintf("%d-06-30", 2030+r.IntN(5)), issued: fmt.Sprintf("%d-06-30", 2020+r.IntN(5)),
		clientIP: fmt.Sprintf("192.0.2.%d", 1+r.IntN(250)), // TEST-NET-1: never a real client
	}
}

// result is what one identification webhook reports.
type result struct {
	eventType      string
	final          bool
	overall        idenfy.Overall
	autoDocument   string
	autoFace       string
	manualDocument string
	manualFace     string
	fraudTags      []string
	mismatchTags   []string
	companyID      string // a KYB beneficiary's verification names its company
}

// identification renders an identification webhook body with the field
// names and shapes iDenfy documents (docs/idenfy.md).
func identification(scanRef, clientID string, p person, res result, at time.Time, nonce int) []byte {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	final, start, finish := res.final, at.Unix()-95, at.Unix()
	ext, country, loc, docType := "order-"+scanRef[:8], "LT", "Testville, Nowhere", "ID_CARD"
	full := p.first + " " + p.last
	body := idenfy.Identification{
		Final: &final, Platform: str("PC"),
		Status: &idenfy.Status{
			Overall: res.overall, SuspicionReasons: []string{}, DenyReasons: []string{},
			FraudTags: orEmpty(res.fraudTags), MismatchTags: orEmpty(res.mismatchTags),
			AutoFace: str(res.autoFace), ManualFace: str(res.manualFace),
			AutoDocument: str(res.autoDocument), ManualDocument: str(res.manualDocument),
		},
		Data: &idenfy.PersonData{
			DocFirstName: &p.first, DocLastName: &p.last, DocNumber: &p.docNumber, DocPersonalCode: &p.personalCode,
			DocExpiry: &p.expiry, DocDOB: &p.dob, DocDateOfIssue: &p.issued, DocType: &docType, DocSex: str("UNDEFINED"),
			DocNationality: &country, DocIssuingCountry: &country, SelectedCountry: &country, FullName: &full,
			OrgFirstName: &p.first, OrgLastName: &p.last, AgeEstimate: str("OVER_25"), ClientIPProxyRiskLevel: str("LOW"),
		},
		FileURLs: map[string]string{},
		ScanRef:  scanRef, ExternalRef: &ext, ClientID: clientID,
		StartTime: &start, FinishTime: &finish, ClientIP: &p.clientIP, ClientIPCountry: &country, ClientLocation: &loc,
	}
	if res.companyID != "" {
		body.CompanyID = &res.companyID
	}
	if res.overall != idenfy.OverallExpired {
		expires := at.Add(time.Hour).Unix()
		for _, side := range []string{"FRONT", "BACK", "FACE"} {
			// Pre-signed URLs change on every send, as iDenfy's do.
			body.FileURLs[side] = fmt.Sprintf("https://files.example.invalid/%s/%s.png?X-Amz-Expires=3600&Expires=%d&X-Amz-Signature=%08x",
				scanRef, side, expires, nonce)
		}
		suspected := len(res.fraudTags) > 0
		notSusp := "NOT_SUSPECTED"
		if suspected {
			notSusp = "SUSPECTED"
		}
		used, found, ok := true, true, true
		body.AML = []idenfy.CheckResult{{
			Status:      &idenfy.CheckStatus{ServiceSuspected: &suspected, ServiceUsed: &used, ServiceFound: &found, CheckSuccessful: &ok, OverallStatus: &notSusp},
			ServiceName: str("PilotApiAmlV2"), ServiceGroupType: str("AML"), UID: str(fmt.Sprintf("SIMAML%08X", nonce)), Data: []json.RawMessage{},
		}}
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err) // the types are ours: cannot fail
	}
	return b
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
