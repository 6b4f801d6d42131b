package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"kycflow/idenfy"
)

// KindCompany marks a KYB company lifecycle (workflow ID kyb-<company id>).
// It runs the same machine as a KYC verification: its webhooks are turned
// into preliminary results, final results and lapses, so dedup,
// never-downgrade, revisions, compliance review, onboarding and the
// timeline work the same way.
const KindCompany = "kyb"

// EventBeneficiaryLinked tells a company lifecycle that the KYC
// verification in ScanRef is one of its beneficiaries (the relay sends it
// for identifications that carry a companyId).
const EventBeneficiaryLinked = "BENEFICIARY_VERIFICATION"

// CompanyID is the workflow ID of the lifecycle of a KYB company.
func CompanyID(id string) string { return "kyb-" + id }

// Company is what a company lifecycle knows besides the common state.
type Company struct {
	Submitted    bool   `json:"submitted,omitempty"`
	ReviewStatus string `json:"reviewStatus,omitempty"` // iDenfy's company review status
	AMLReviewed  bool   `json:"amlReviewed,omitempty"`  // a COMPANY_AML_REVIEW arrived
	// Screenings holds the latest screening statuses of the company and
	// the people behind it, one per subject, sorted by subject.
	Screenings []idenfy.Screening `json:"screenings,omitempty"`
	// AMLReviewedSubjects have had their own AML review: its statuses
	// stand over the ones a company review embeds.
	AMLReviewedSubjects []string `json:"amlReviewedSubjects,omitempty"`
	Beneficiaries       []string `json:"beneficiaries,omitempty"` // linked KYC scanRefs
}

// companyDuplicate reports whether a KYB event would change nothing: the
// same delivery, or facts the lifecycle already holds. (A subject flagged,
// cleared and flagged again is three changes, not a duplicate.)
func (m *machine) companyDuplicate(e Event) bool {
	s := m.s
	if s.seen(e.DedupKey()) {
		return true
	}
	c := s.Company
	if c == nil {
		return false
	}
	switch e.EventType {
	case EventBeneficiaryLinked:
		return slices.Contains(c.Beneficiaries, e.ScanRef)
	case idenfy.EventCompanySubmit:
		return c.Submitted
	case idenfy.EventCompanyTokenExpired:
		return s.Lapsed
	case idenfy.EventCompanyAMLReview:
		return c.AMLReviewed && c.holds(e.Company.Screenings)
	}
	return e.Company.ReviewStatus == c.ReviewStatus && c.holds(e.Company.Screenings)
}

// holds reports whether every screening is already known as it is.
func (c *Company) holds(screenings []idenfy.Screening) bool {
	for _, sc := range screenings {
		i := slices.IndexFunc(c.Screenings, func(x idenfy.Screening) bool { return x.Subject == sc.Subject })
		if i < 0 || c.Screenings[i] != sc {
			return false
		}
	}
	return true
}

// merge records screenings; from a company review, a subject that had its
// own AML review keeps that review's statuses (whatever the arrival order).
func (c *Company) merge(screenings []idenfy.Screening, amlReview bool) {
	for _, sc := range screenings {
		if amlReview {
			if !slices.Contains(c.AMLReviewedSubjects, sc.Subject) {
				c.AMLReviewedSubjects = append(c.AMLReviewedSubjects, sc.Subject)
			}
		} else if slices.Contains(c.AMLReviewedSubjects, sc.Subject) {
			continue
		}
		if i := slices.IndexFunc(c.Screenings, func(x idenfy.Screening) bool { return x.Subject == sc.Subject }); i >= 0 {
			c.Screenings[i] = sc
		} else {
			c.Screenings = append(c.Screenings, sc)
		}
	}
	slices.SortFunc(c.Screenings, func(a, b idenfy.Screening) int { return strings.Compare(a.Subject, b.Subject) })
}

// flag carries the subjects' screening hits into the result the decision
// policy reads, by kind (PEP, sanctions, adverse media, overall AML).
func (c *Company) flag(sum *idenfy.Summary) {
	hit := func(v string) bool { return v == idenfy.ScreeningFlagsFound || v == idenfy.ScreeningTruePositive }
	for _, sc := range c.Screenings {
		for _, f := range []struct {
			status string
			into   *string
		}{{sc.PEPs, &sum.PEPsStatus}, {sc.Sanctions, &sum.SanctionsStatus}, {sc.News, &sum.AdverseMediaStatus}, {sc.Overall, &sum.AMLResultClass}} {
			if hit(f.status) {
				*f.into = f.status
			}
		}
	}
}

func (c *Company) flagged() []string {
	var out []string
	for _, sc := range c.Screenings {
		if sc.Flagged() {
			out = append(out, sc.Subject)
		}
	}
	return out
}

// applyCompany applies a KYB event (dedup already done). The company is
// decided once iDenfy's review is in and, for an approval, once an AML
// review is in too (or the review itself flags someone): approved only
// when nobody is flagged, otherwise compliance review. Once a result is in,
// only a changed review status or a newly flagged subject decides again:
// a cleared flag never overturns a person's decision by itself.
func (m *machine) applyCompany(now time.Time, e Event) {
	s := m.s
	if s.Company == nil {
		s.Company = &Company{}
	}
	c := s.Company
	switch e.EventType {
	case EventBeneficiaryLinked:
		c.Beneficiaries = append(c.Beneficiaries, e.ScanRef)
		m.add(now, EntryApplied, e.InboxID, "beneficiary verification "+e.ScanRef+" linked")
		return
	case idenfy.EventCompanyTokenExpired:
		if c.ReviewStatus != "" {
			m.add(now, EntryStale, e.InboxID, "token expired after iDenfy's company review; the review stands")
			return
		}
		m.applyLapse(now, Event{InboxID: e.InboxID, Kind: e.Kind, EventType: e.EventType, Summary: idenfy.Summary{Overall: idenfy.OverallExpired}})
		return
	case idenfy.EventCompanySubmit:
		c.Submitted = true
	case idenfy.EventCompanyAMLReview:
		c.AMLReviewed = true
	case idenfy.EventCompanyReview:
	default: // COMPANY_INFO_REQUEST, COMPANY_DELETE, …: on the trail, no decision
		m.add(now, EntryApplied, e.InboxID, e.EventType+" recorded")
		return
	}
	before, status := c.flagged(), c.ReviewStatus
	if e.Company.ReviewStatus != "" {
		c.ReviewStatus = e.Company.ReviewStatus
	}
	c.merge(e.Company.Screenings, e.EventType == idenfy.EventCompanyAMLReview)
	flagged := c.flagged()
	newlyFlagged := slices.ContainsFunc(flagged, func(f string) bool { return !slices.Contains(before, f) })
	switch {
	case (s.Verdict != nil || s.Lapsed) && c.ReviewStatus == status && !newlyFlagged:
		m.add(now, EntryApplied, e.InboxID, e.EventType+" recorded; it changes nothing the company result rests on")
	case e.EventType == idenfy.EventCompanySubmit && c.ReviewStatus != "":
		m.add(now, EntryApplied, e.InboxID, "submission recorded; the company review is already in")
	case c.ReviewStatus == "":
		m.companyPending(now, e, e.EventType+" recorded; waiting for iDenfy's company review")
	case c.ReviewStatus == string(idenfy.OverallApproved) && !c.AMLReviewed && len(flagged) == 0 && s.Verdict == nil:
		m.companyPending(now, e, "company review APPROVED; waiting for the AML review")
	default:
		v := Event{InboxID: e.InboxID, Kind: e.Kind, EventType: e.EventType, CompanyID: e.CompanyID,
			Summary: idenfy.Summary{Final: true, Overall: idenfy.Overall(c.ReviewStatus)}}
		if len(flagged) > 0 {
			c.flag(&v.Summary) // decide() sends flagged results to review
			m.add(now, EntryApplied, e.InboxID, "screening flags on "+strings.Join(flagged, ", "))
		}
		m.applyVerdict(now, v)
	}
}

// companyPending records progress before a company result exists; after
// one it changes nothing.
func (m *machine) companyPending(now time.Time, e Event, detail string) {
	s := m.s
	if s.Verdict != nil || s.Lapsed {
		m.add(now, EntryStale, e.InboxID, e.EventType+" after the company result; recorded, the result stands")
		return
	}
	if s.Stage != StageInReview {
		s.ReviewDeadline, s.Stuck = now.Add(m.p.ReviewSLA), false
	}
	s.Stage, s.Status = StageInReview, orPending(s.Company.ReviewStatus)
	m.add(now, EntryApplied, e.InboxID, detail)
}

func orPending(status string) string {
	if status == "" {
		return "SUBMITTED"
	}
	return status
}

// describeCompany is a KYB event's PII-free timeline line.
func (e Event) describeCompany() string {
	if e.EventType == EventBeneficiaryLinked {
		return e.EventType + " " + e.ScanRef
	}
	var b strings.Builder
	b.WriteString(e.EventType)
	if e.Company.ReviewStatus != "" {
		b.WriteString(" status=" + e.Company.ReviewStatus)
	}
	for _, sc := range e.Company.Screenings {
		fmt.Fprintf(&b, " %s[peps=%s sanctions=%s news=%s overall=%s]", sc.Subject, dash(sc.PEPs), dash(sc.Sanctions), dash(sc.News), dash(sc.Overall))
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
