package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"kycflow/activities"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/outbound"
	"kycflow/workflows"
)

// Deliver stores the record, then calls the onboarding endpoint, then the
// sinks, and stores the outcome at the reserved entry; a failed call
// stores the record and nothing else, and sends no notification.
func TestDeliver(t *testing.T) {
	for name, open := range testenv.Stores(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			onboarding, sink := fakes.NewReceiver(t, secret(t)), fakes.NewReceiver(t, secret(t))
			sender := &outbound.Sender{Secrets: []outbound.Secret{secret(t)}}
			d := &activities.Deliverer{Lifecycle: &activities.Lifecycle{Store: db},
				Effects: &activities.Effects{Sender: sender, OnboardingURL: onboarding.URL, Sinks: []activities.Sink{{URL: sink.URL}}}}
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(d.Deliver)

			state := workflows.NewState("scan-1")
			state.Stage, state.Decision, state.DecisionSeq, state.Seq = workflows.StageMonitoring, workflows.DecisionApproved, 1, 3
			at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
			dl := workflows.Delivery{WorkflowID: "kyc-scan-1", ScanRef: "scan-1", OutcomeSeq: 3,
				Record: &workflows.Record{WorkflowID: "kyc-scan-1", State: *state, Entries: []workflows.Entry{
					{Seq: 1, Type: "received", At: at, InboxID: 7}, {Seq: 2, Type: "decided", At: at}}},
				Onboard: workflows.OnboardingRequest{MessageID: "kyc-scan-1-decision-1", ScanRef: "scan-1", Decision: workflows.DecisionApproved, DecisionSeq: 1},
				Notify:  []workflows.Notification{{MessageID: "kyc-scan-1-verification.decided-2", Event: workflows.NotifyDecided, ScanRef: "scan-1"}}}

			onboarding.Script(503)
			if _, err := env.ExecuteActivity(d.Deliver, dl); err == nil {
				t.Fatal("Deliver with the endpoint answering 503 succeeded")
			}
			tl, err := db.Timeline(context.Background(), "scan-1")
			if err != nil || len(tl) != 2 || len(sink.Effective()) != 0 {
				t.Fatalf("after a failed call: timeline %+v (%v), notifications %d; want the record only", tl, err, len(sink.Effective()))
			}

			out := deliver(t, env, d, dl)
			tl, err = db.Timeline(context.Background(), "scan-1")
			if err != nil || len(tl) != 3 || tl[2].Type != workflows.EntryOnboarded || !out.Stored || tl[2].Detail != out.Entry.Detail ||
				!strings.Contains(out.Entry.Detail, "accepted by the onboarding endpoint: 200; notified verification.decided → [") {
				t.Errorf("timeline %+v (%v), outcome %+v; want the outcome at seq 3", tl, err, out)
			}
			if len(onboarding.Effective()) != 1 || len(sink.Effective()) != 1 || len(out.Unsent) != 0 || len(out.Notified[0].Sent) != 1 {
				t.Errorf("onboarding %d, notifications %d, outcome %+v; want one each", len(onboarding.Effective()), len(sink.Effective()), out)
			}

			// Notify skips a sink that took the notification in a Deliver call.
			e := d.Effects
			env.RegisterActivity(e.Notify)
			n := dl.Notify[0]
			n.Sent = out.Notified[0].Sent
			if _, err := env.ExecuteActivity(e.Notify, n); err != nil || sink.Attempts(n.MessageID) != 1 {
				t.Errorf("Notify with Sent: %v, attempts %d; want the sink skipped", err, sink.Attempts(n.MessageID))
			}
		})
	}
}

type countingMailer struct{ sent int }

func (m *countingMailer) Send(ctx context.Context, _, _ string) error {
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("no deadline")
	}
	m.sent++
	return nil
}

// Deliver leaves e-mail to Notify, which never sends one twice: the
// notification comes back unsent, with the sinks that took it.
func TestDeliverLeavesMailToNotify(t *testing.T) {
	db := testenv.Stores(t)["sqlite"](t)
	sink, mail := fakes.NewReceiver(t, secret(t)), &countingMailer{}
	d := &activities.Deliverer{Lifecycle: &activities.Lifecycle{Store: db}, Effects: &activities.Effects{
		Sender: &outbound.Sender{Secrets: []outbound.Secret{secret(t)}}, Sinks: []activities.Sink{{URL: sink.URL}},
		Mailer: mail, MailEvents: []string{workflows.NotifyAMLAlert}}}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(d.Deliver)
	env.RegisterActivity(d.Effects.Notify)
	dl := workflows.Delivery{WorkflowID: "kyc-scan-1", ScanRef: "scan-1", OutcomeSeq: 2,
		Onboard: workflows.OnboardingRequest{MessageID: "kyc-scan-1-hold-1", ScanRef: "scan-1", Decision: workflows.DecisionHold, DecisionSeq: 1},
		Notify:  []workflows.Notification{{MessageID: "kyc-scan-1-aml.alert-1", Event: workflows.NotifyAMLAlert, ScanRef: "scan-1"}}}
	out := deliver(t, env, d, dl)
	if mail.sent != 0 || len(out.Unsent) != 1 || len(sink.Effective()) != 1 {
		t.Fatalf("mails %d, outcome %+v, sink calls %d; want the sink reached, the mail left", mail.sent, out, len(sink.Effective()))
	}
	n := dl.Notify[0]
	n.Sent = out.Notified[0].Sent
	if _, err := env.ExecuteActivity(d.Effects.Notify, n); err != nil || mail.sent != 1 || sink.Attempts(n.MessageID) != 1 {
		t.Errorf("Notify: %v, mails %d, sink attempts %d; want one mail, the sink skipped", err, mail.sent, sink.Attempts(n.MessageID))
	}
}

// deliver runs the Deliver activity and returns its outcome.
func deliver(t *testing.T, env *testsuite.TestActivityEnvironment, d *activities.Deliverer, dl workflows.Delivery) workflows.DeliveryOutcome {
	t.Helper()
	v, err := env.ExecuteActivity(d.Deliver, dl)
	if err != nil {
		t.Fatal(err)
	}
	var out workflows.DeliveryOutcome
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out
}
