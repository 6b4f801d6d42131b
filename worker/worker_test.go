package worker_test

import (
	"context"
	"slices"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/server/temporaltest"

	"kycflow/worker"
	"kycflow/workflows"
)

func TestSetupIsIdempotent(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c, ns, ctx := ts.GetDefaultClient(), ts.GetDefaultNamespace(), context.Background()
	added, err := worker.Setup(ctx, c, ns)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"IdenfyClientId", "IdenfyCompanyId", "IdenfyScanRef", "KybDecision", "KybStage", "KycDecision", "KycStage", "KycStatus"}
	if !slices.Equal(added, want) {
		t.Errorf("first Setup() added %v, want %v", added, want)
	}
	if again, err := worker.Setup(ctx, c, ns); err != nil || len(again) != 0 {
		t.Errorf("second Setup() = %v, %v; want nothing added", again, err)
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	for name := range workflows.SearchAttributes() {
		if have.GetCustomAttributes()[name] != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
			t.Errorf("%s not registered as keyword", name)
		}
	}
}

func TestSetupRefusesAConflictingType(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c, ns, ctx := ts.GetDefaultClient(), ts.GetDefaultNamespace(), context.Background()
	_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ns, SearchAttributes: map[string]enumspb.IndexedValueType{"KycStage": enumspb.INDEXED_VALUE_TYPE_INT},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := worker.Setup(ctx, c, ns); err == nil {
		t.Error("Setup() accepted KycStage registered as Int")
	}
}
