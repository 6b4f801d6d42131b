package activities_test

import (
	"bufio"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"kycflow/activities"
	"kycflow/internal/fakes"
	"kycflow/outbound"
	"kycflow/workflows"
)

func secret(t *testing.T) outbound.Secret {
	s, err := outbound.ParseSecret("whsec_dGVzdC1zZWNyZXQtZm9yLWFjdGl2aXRpZXM=")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOnboard(t *testing.T) {
	recv := fakes.NewReceiver(t, secret(t))
	e := &activities.Effects{Sender: &outbound.Sender{Secrets: []outbound.Secret{secret(t)}}, OnboardingURL: recv.URL}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e)
	req := workflows.OnboardingRequest{MessageID: "kyc-s-decision-1", ScanRef: "s", Decision: workflows.DecisionApproved, DecisionSeq: 1}

	recv.Script(503)
	if _, err := env.ExecuteActivity(e.Onboard, req); err == nil || isType(err, workflows.ErrOnboardingRejected) {
		t.Errorf("503 = %v, want a retryable error", err)
	}
	if _, err := env.ExecuteActivity(e.Onboard, req); err != nil {
		t.Fatalf("200 = %v", err)
	}
	recv.Script(400)
	req2 := req
	req2.MessageID = "kyc-s-decision-2"
	if _, err := env.ExecuteActivity(e.Onboard, req2); !isType(err, workflows.ErrOnboardingRejected) {
		t.Errorf("400 = %v, want a non-retryable OnboardingRejected", err)
	}
	if got := recv.Effective(); len(got) != 1 || got[0].Body["type"] != "verification.decision" || got[0].Body["scanRef"] != "s" {
		t.Errorf("effective = %+v", got)
	}
	if recv.Attempts("kyc-s-decision-1") != 2 || recv.BadSignatures() != 0 {
		t.Errorf("attempts %d, bad signatures %d", recv.Attempts("kyc-s-decision-1"), recv.BadSignatures())
	}
	skip := &activities.Effects{}
	env.RegisterActivity(skip)
	v, err := env.ExecuteActivity(skip.Onboard, req)
	var out workflows.OnboardingOutcome
	if err != nil || v.Get(&out) != nil || !out.Skipped {
		t.Errorf("no URL = %+v %v, want skipped", out, err)
	}
}

func isType(err error, typ string) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == typ
}

func TestNotifyFiltersSinksAndMails(t *testing.T) {
	all, stuckOnly := fakes.NewReceiver(t, secret(t)), fakes.NewReceiver(t, secret(t))
	mail := newFakeSMTP(t)
	e := &activities.Effects{
		Sender:     &outbound.Sender{Secrets: []outbound.Secret{secret(t)}},
		Sinks:      []activities.Sink{{URL: all.URL}, {URL: stuckOnly.URL, Events: []string{workflows.NotifyStuck}}},
		Mailer:     &activities.SMTP{Host: "127.0.0.1", Port: mail.port, From: "kycflow@example.invalid", To: []string{"compliance@example.invalid"}},
		MailEvents: []string{workflows.NotifyReviewRequired},
	}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e)
	for _, ev := range []string{workflows.NotifyDecided, workflows.NotifyReviewRequired} {
		v, err := env.ExecuteActivity(e.Notify, workflows.Notification{MessageID: "m-" + ev, Event: ev, ScanRef: "s1", At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		var out workflows.NotifyOutcome
		v.Get(&out)
		want := 1
		if ev == workflows.NotifyReviewRequired {
			want = 2 // the sink and e-mail
		}
		if len(out.Delivered) != want {
			t.Errorf("%s delivered to %v", ev, out.Delivered)
		}
	}
	if len(all.Effective()) != 2 || len(stuckOnly.Effective()) != 0 {
		t.Errorf("sink deliveries: all %d, stuck-only %d; want 2 and 0", len(all.Effective()), len(stuckOnly.Effective()))
	}
	if msgs := mail.messages(); len(msgs) != 1 || !strings.Contains(msgs[0], "verification.review_required") || !strings.Contains(msgs[0], "s1") {
		t.Errorf("mails = %q", msgs)
	}
}

// fakeSMTP speaks just enough SMTP to accept mail.
type fakeSMTP struct {
	port int
	mu   sync.Mutex
	got  []string
}

func newFakeSMTP(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &fakeSMTP{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.session(c)
		}
	}()
	return f
}

func (f *fakeSMTP) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { c.Write([]byte(s + "\r\n")) }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 fake")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			f.mu.Lock()
			f.got = append(f.got, msg.String())
			f.mu.Unlock()
			say("250 queued as " + strconv.Itoa(len(f.got)))
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (f *fakeSMTP) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// A slow sink does not starve the heartbeat, the heartbeat names sinks by
// fingerprint (never by URL, which may carry a token), and a retry that
// resumes from it sends nothing twice.
func TestNotifyHeartbeatsAndResumesWithoutURLs(t *testing.T) {
	slow, fast := fakes.NewReceiver(t, secret(t)), fakes.NewReceiver(t, secret(t))
	held, release := slow.Hold()
	go func() { <-held; time.Sleep(2500 * time.Millisecond); release() }()
	e := &activities.Effects{
		Sender: &outbound.Sender{Secrets: []outbound.Secret{secret(t)}},
		Sinks:  []activities.Sink{{URL: slow.URL + "/hook/path-secret"}, {URL: fast.URL + "?token=query-secret"}},
	}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e)
	var mu sync.Mutex
	var beats [][]string
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) {
		var got []string
		if d.HasValues() {
			d.Get(&got)
		}
		mu.Lock()
		beats = append(beats, got)
		mu.Unlock()
	})
	n := workflows.Notification{MessageID: "m-1", Event: workflows.NotifyDecided, ScanRef: "s1", At: time.Now()}
	v, err := env.ExecuteActivity(e.Notify, n)
	if err != nil {
		t.Fatal(err)
	}
	var out workflows.NotifyOutcome
	v.Get(&out)
	mu.Lock()
	defer mu.Unlock()
	if len(beats) == 0 {
		t.Fatal("no heartbeat while the slow sink was busy")
	}
	for _, text := range append(slices.Concat(beats...), out.Delivered...) {
		if strings.Contains(text, "secret") || strings.Contains(text, "/hook") {
			t.Errorf("heartbeat or outcome %q carries the sink URL", text)
		}
	}
	if len(out.Delivered) != 2 {
		t.Errorf("delivered = %v", out.Delivered)
	}
	env.SetHeartbeatDetails([]string{e.Sinks[0].Key(), e.Sinks[1].Key()})
	if _, err := env.ExecuteActivity(e.Notify, n); err != nil {
		t.Fatal(err)
	}
	if slow.Attempts("m-1") != 1 || fast.Attempts("m-1") != 1 {
		t.Errorf("attempts after the resumed retry: slow %d, fast %d; want 1 each", slow.Attempts("m-1"), fast.Attempts("m-1"))
	}
}
