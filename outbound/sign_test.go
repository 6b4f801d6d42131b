package outbound_test

import (
	"strings"
	"testing"

	"kycflow/outbound"
)

// The example of the Standard Webhooks specification.
func TestSignatureMatchesTheSpecExample(t *testing.T) {
	secret, err := outbound.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := outbound.Signature([]outbound.Secret{secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Signature() = %s, want %s", got, want)
	}
}

func TestVerifyAcceptsAnyRotatedSecret(t *testing.T) {
	a, _ := outbound.ParseSecret("whsec_YWFhYWFhYWFhYWFhYWFhYQ==")
	b, _ := outbound.ParseSecret("whsec_YmJiYmJiYmJiYmJiYmJiYg==")
	body := []byte(`{"x":1}`)
	header := outbound.Signature([]outbound.Secret{a, b}, "id-1", 100, body)
	if len(strings.Fields(header)) != 2 {
		t.Fatalf("header %q, want two signatures", header)
	}
	for _, s := range []outbound.Secret{a, b} {
		if err := outbound.Verify(s, "id-1", 100, body, header); err != nil {
			t.Error(err)
		}
	}
	if err := outbound.Verify(a, "id-1", 101, body, header); err == nil {
		t.Error("Verify accepted another timestamp")
	}
	if err := outbound.Verify(a, "id-1", 100, []byte(`{"x":2}`), header); err == nil {
		t.Error("Verify accepted another body")
	}
	if _, err := outbound.ParseSecret("whsec_!!"); err == nil {
		t.Error("ParseSecret accepted non-base64")
	}
}
