package console

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"kycflow/operator"
)

// personalView is a revealed page of a case's personal data.
type personalView struct {
	Payloads []payloadView
	// Next is the inbox id to continue after, when more payloads follow.
	Next string
}

// payloadView is one stored webhook's personal fields.
type payloadView struct {
	InboxID     int64
	Kind        string
	EventType   string
	ReceivedAt  time.Time
	Unavailable string
	Fields      []status // the person (KYC) or the monitored subject (AML)
	Hits        []hitView
	AMLCheck    []status
}

// hitView is one screening result with its matches as indented JSON.
type hitView struct {
	Service, Group, Overall string
	Suspected               bool
	Data                    []string
}

func personal(d operator.PersonalData) *personalView {
	out := &personalView{}
	if d.NextCursor != nil {
		out.Next = *d.NextCursor
	}
	for _, p := range d.Items {
		pv := payloadView{InboxID: p.InboxID, Kind: p.Kind, EventType: p.EventType, ReceivedAt: p.ReceivedAt, Unavailable: p.Unavailable}
		if p.Person != nil {
			pv.Fields = fieldsOf(p.Person)
		}
		if p.Subject != nil {
			pv.Fields = fieldsOf(p.Subject)
		}
		for _, h := range p.Hits {
			hv := hitView{Service: deref(h.ServiceName), Group: deref(h.ServiceGroupType)}
			if h.Status != nil {
				hv.Overall = deref(h.Status.OverallStatus)
				hv.Suspected = h.Status.ServiceSuspected != nil && *h.Status.ServiceSuspected
			}
			for _, raw := range h.Data {
				hv.Data = append(hv.Data, indent(raw))
			}
			pv.Hits = append(pv.Hits, hv)
		}
		if p.AMLCheck != nil {
			pv.AMLCheck = fieldsOf(p.AMLCheck)
		}
		out.Payloads = append(out.Payloads, pv)
	}
	return out
}

var rawJSON = reflect.TypeFor[json.RawMessage]()

// fieldsOf lists a struct's set fields by their JSON names, in the
// struct's order: strings as they are, lists joined, nested JSON indented.
func fieldsOf(v any) []status {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	var out []status
	for i := range rv.NumField() {
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if text := display(rv.Field(i)); text != "" {
			out = append(out, status{Label: name, Value: text})
		}
	}
	return out
}

func display(v reflect.Value) string {
	switch {
	case v.Type() == rawJSON:
		return indent(v.Bytes())
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return display(v.Elem())
	case v.Kind() == reflect.String:
		return v.String()
	case v.Kind() == reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case v.Kind() == reflect.Slice:
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = display(v.Index(i))
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// indent shows JSON indented; null or empty shows nothing.
func indent(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
