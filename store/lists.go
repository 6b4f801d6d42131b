package store

import (
	"context"
	"fmt"
)

// LifecycleFilter selects verifications or companies for a list. Empty
// fields match everything; After is the cursor (the last ID of the
// previous page). The caller validates the values.
type LifecycleFilter struct {
	Stage, Status, Decision, ClientID string
	Limit                             int
	After                             int64
}

// ListVerifications returns verifications newest first, and the cursor of
// the next page (0 when this is the last one).
func (d *DB) ListVerifications(ctx context.Context, f LifecycleFilter) ([]Verification, int64, error) {
	out, next, err := listPage[Verification](ctx, d, "verifications", f, func(v Verification) int64 { return v.ID })
	if err != nil {
		return nil, 0, fmt.Errorf("list verifications: %w", err)
	}
	return out, next, nil
}

// ListCompanies returns company lifecycles newest first, and the cursor of
// the next page (0 when this is the last one).
func (d *DB) ListCompanies(ctx context.Context, f LifecycleFilter) ([]Company, int64, error) {
	out, next, err := listPage[Company](ctx, d, "companies", f, func(c Company) int64 { return c.ID })
	if err != nil {
		return nil, 0, fmt.Errorf("list companies: %w", err)
	}
	return out, next, nil
}

// listPage reads one page of table (verifications or companies) under f.
func listPage[T any](ctx context.Context, d *DB, table string, f LifecycleFilter, id func(T) int64) ([]T, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT * FROM ` + table + ` WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ col, v string }{{"stage", f.Stage}, {"status", f.Status}, {"decision", f.Decision}, {"client_id", f.ClientID}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	if f.After > 0 {
		q += " AND id < ?"
		args = append(args, f.After)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	var out []T
	if err := d.db.SelectContext(ctx, &out, d.db.Rebind(q), args...); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = id(out[len(out)-1])
	}
	return out, next, nil
}
