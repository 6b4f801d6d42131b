package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"kycflow/internal/testenv"
)

func TestMigrateCommand(t *testing.T) {
	for name, environ := range map[string][]string{
		"sqlite":   {"KYCFLOW_DATA_DIR=" + t.TempDir()},
		"postgres": {"KYCFLOW_DATABASE_URL=" + testenv.PostgresURL(t)},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			cmd := newRootCmd(environ, &errOut)
			cmd.SetOut(&out)
			cmd.SetArgs([]string{"migrate"})
			if err := cmd.ExecuteContext(context.Background()); err != nil {
				t.Fatalf("migrate: %v\n%s", err, errOut.String())
			}
			want := fmt.Sprintf("database (%s) is at schema version 8\n", name)
			if out.String() != want {
				t.Errorf("migrate printed %q, want %q", out.String(), want)
			}
		})
	}
}
