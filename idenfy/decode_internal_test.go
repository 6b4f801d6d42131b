package idenfy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// decodeWhole is decode without its scan: the whole body through the
// decoder, then the duplicate scan. decode must answer exactly as it does.
func decodeWhole(kind Kind, body []byte) (r routing, summarized bool, dupKey string, dup bool, err error) {
	if kind != KindKYB && kind != KindAML {
		var w kycWire
		if json.Unmarshal(body, &w) == nil {
			r, summarized = routing{routingKeys: w.routingKeys}, true
		}
	}
	if !summarized {
		if err = json.Unmarshal(body, &r); err != nil {
			return r, false, "", false, err
		}
	}
	dupKey, dup = duplicateKey(body)
	return r, summarized, dupKey, dup, nil
}

func FuzzDecode(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range fixtures {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
	}
	for _, s := range []string{
		`{"scanRef":"a"}`, ` { "SCANREF" : "a" , "Final" : true } `, `{"ſcanRef":"a","status":{"overall":"APPROVED"}}`,
		`{"\u0073canRef":"a"}`, `{"sc\u0061nRef":"a","scanRef":"b"}`, `{"scanRef":5}`, `{"scanRef":"s","status":{"overall":1}}`,
		`{"scanRef":"a","scanRef":5}`, `{"scanRef":null,"status":null,"AML":null}`, `{"aml":[{"status":{"serviceSuspected":"x"}}]}`,
		`[{"scanRef":"a"}]`, `null`, `"x"`, `{"scanRef":"a"`, `{"data":{"scanRef":"x"},"scanRef":"a"}`, `{"a":{"b":1,"B":2},"scanRef":"c"}`,
		`{"id":"c","companyName":"n"}`, `{"monitoringId":"m","scanRefList":["a",1]}`, `{"status":{"overall":"A"},"Status":{}}`,
		`{"aVeryLongKeyThatIsLongerThanThirtyTwoBytes":1,"scanRef":"a"}`,
		`{"\u0073\u0063\u0061\u006e\u0052\u0065\u0066\u004c\u0069\u0073\u0074":["a"],"monitoringId":"m"}`,
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, body []byte, k uint8) {
		kind := []Kind{KindKYC, KindKYB, KindAML}[int(k)%3]
		r, summarized, dupKey, dup, err := decode(kind, body)
		wr, wsummarized, wdupKey, wdup, werr := decodeWhole(kind, body)
		if (err == nil) != (werr == nil) || (err != nil && jsonErrorKind(err) != jsonErrorKind(werr)) {
			t.Fatalf("decode(%s, %q) error %v, decoding the whole body %v", kind, body, err, werr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(r, wr) || summarized != wsummarized || dupKey != wdupKey || dup != wdup {
			t.Fatalf("decode(%s, %q) = %+v %v %q %v, decoding the whole body %+v %v %q %v",
				kind, body, r, summarized, dupKey, dup, wr, wsummarized, wdupKey, wdup)
		}
	})
}
