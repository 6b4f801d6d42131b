package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// QueueStages are the stages in which a lifecycle waits for a compliance
// officer (the workflows' awaiting_compliance and aml_alert).
var QueueStages = []string{"awaiting_compliance", "aml_alert"}

// Kinds of queue items.
const (
	KindKYC = "kyc" // a verification
	KindKYB = "kyb" // a company
)

// QueueItem is one case a compliance officer must act on.
type QueueItem struct {
	Kind       string       `db:"kind"`    // KindKYC or KindKYB
	ID         int64        `db:"id"`      // the row's id in its table
	Subject    string       `db:"subject"` // scanRef or company ID
	WorkflowID string       `db:"workflow_id"`
	ClientID   string       `db:"client_id"`
	Stage      string       `db:"stage"`
	Status     string       `db:"status"`
	DueAt      sql.NullTime `db:"due_at"`
	Reason     string       `db:"reason"`
	UpdatedAt  time.Time    `db:"updated_at"`
}

// QueueCursor is a position in the queue's order: dated cases first by
// due time, then undated ones by their last update; kind and id break ties.
type QueueCursor struct {
	Undated bool
	At      time.Time // DueAt, or UpdatedAt when undated
	Kind    string
	ID      int64
}

// Cursor is the position of it in the queue.
func (it QueueItem) Cursor() QueueCursor {
	if it.DueAt.Valid {
		return QueueCursor{At: it.DueAt.Time.UTC(), Kind: it.Kind, ID: it.ID}
	}
	return QueueCursor{Undated: true, At: it.UpdatedAt.UTC(), Kind: it.Kind, ID: it.ID}
}

// QueueFilter selects queue items; empty fields match everything. After,
// when set, starts the page after that position.
type QueueFilter struct {
	Kind, Stage, ClientID string
	Limit                 int
	After                 *QueueCursor
}

// queueBranch selects one table's open cases in the queue's shape, in the
// order of the table's partial queue index (undated, sort_at, id).
const queueBranch = `SELECT * FROM (SELECT '%s' AS kind, id, %s AS subject, workflow_id, client_id, stage, status, due_at, reason,
	updated_at, (due_at IS NULL) AS undated, COALESCE(due_at, updated_at) AS sort_at
	FROM %s WHERE stage IN ('awaiting_compliance', 'aml_alert')%s
	ORDER BY (due_at IS NULL), COALESCE(due_at, updated_at), id LIMIT ?) AS %[1]s`

// Queue returns the open cases, dated ones first by due time and undated
// ones (an AML alert) after them by last update, and the cursor of the next
// page (nil when this is the last one). Each table gives at most a page,
// read in its queue index's order, and the database merges the two: a
// page costs the same with 10,000 open cases as with ten.
func (d *DB) Queue(ctx context.Context, f QueueFilter) ([]QueueItem, *QueueCursor, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var branches []string
	var args []any
	for _, b := range []struct{ kind, subject, table string }{{KindKYC, "scan_ref", "verifications"}, {KindKYB, "company_id", "companies"}} {
		if f.Kind != "" && f.Kind != b.kind {
			continue
		}
		where := ""
		if f.Stage != "" {
			where += " AND stage = ?"
			args = append(args, f.Stage)
		}
		if f.ClientID != "" {
			where += " AND client_id = ?"
			args = append(args, f.ClientID)
		}
		if c := f.After; c != nil {
			// (undated, sort_at, kind, id) > the cursor, for this kind.
			switch {
			case b.kind > c.Kind:
				where += " AND ((due_at IS NULL), COALESCE(due_at, updated_at)) >= (?, ?)"
				args = append(args, c.Undated, c.At.UTC())
			case b.kind == c.Kind:
				where += " AND ((due_at IS NULL), COALESCE(due_at, updated_at), id) > (?, ?, ?)"
				args = append(args, c.Undated, c.At.UTC(), c.ID)
			default:
				where += " AND ((due_at IS NULL), COALESCE(due_at, updated_at)) > (?, ?)"
				args = append(args, c.Undated, c.At.UTC())
			}
		}
		branches = append(branches, fmt.Sprintf(queueBranch, b.kind, b.subject, b.table, where))
		args = append(args, f.Limit+1)
	}
	q := `SELECT kind, id, subject, workflow_id, client_id, stage, status, due_at, reason, updated_at FROM (` +
		strings.Join(branches, " UNION ALL ") + `) AS q ORDER BY undated, sort_at, kind, id LIMIT ?`
	args = append(args, f.Limit+1)
	var out []QueueItem
	if err := d.db.SelectContext(ctx, &out, d.db.Rebind(q), args...); err != nil {
		return nil, nil, fmt.Errorf("read the compliance queue: %w", err)
	}
	if len(out) <= f.Limit {
		return out, nil, nil
	}
	out = out[:f.Limit]
	next := out[len(out)-1].Cursor()
	return out, &next, nil
}

// QueueDepth counts the open cases by kind and stage.
func (d *DB) QueueDepth(ctx context.Context) (map[[2]string]int, error) {
	out := map[[2]string]int{}
	for _, b := range []struct{ kind, table string }{{KindKYC, "verifications"}, {KindKYB, "companies"}} {
		var rows []struct {
			Stage string `db:"stage"`
			N     int    `db:"n"`
		}
		err := d.db.SelectContext(ctx, &rows, `SELECT stage, COUNT(*) AS n FROM `+b.table+
			` WHERE stage IN ('awaiting_compliance', 'aml_alert') GROUP BY stage`)
		if err != nil {
			return nil, fmt.Errorf("count the compliance queue: %w", err)
		}
		for _, r := range rows {
			out[[2]string{b.kind, r.Stage}] = r.N
		}
	}
	return out, nil
}
