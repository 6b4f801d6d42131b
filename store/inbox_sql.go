package store

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
)

// insertInboxSQL is the statement for n distinct rows in the DB's dialect.
func (d *DB) insertInboxSQL(n int) string {
	if q, ok := insertInboxCache.Load(cacheKey{d.dialect, n}); ok {
		return q.(string)
	}
	var q string
	if d.dialect == Postgres {
		q = buildInsertGroupSQL(n)
	} else {
		q = d.db.Rebind(buildInsertInboxSQL(n) + " RETURNING id, dedup_key, status, FALSE")
	}
	insertInboxCache.Store(cacheKey{d.dialect, n}, q)
	return q
}

type cacheKey struct {
	dialect string
	n       int
}

var insertInboxCache sync.Map // cacheKey → statement

// buildInsertInboxSQL is the INSERT of n rows, with ? placeholders.
func buildInsertInboxSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO inbox (" + strings.Join(inboxColumns, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(inboxColumns)), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	b.WriteString(" ON CONFLICT (dedup_key) DO NOTHING")
	return b.String()
}

// buildInsertGroupSQL is PostgreSQL's statement for a group of n rows: the
// INSERT, and in the same statement the re-sends of rows committed before
// the statement's snapshot. Every part of one statement sees that snapshot
// and none sees the others' writes, so prior holds exactly those earlier
// rows, never one that ins inserts (inbox rows are never deleted). A key
// whose first delivery committed after the snapshot (ON CONFLICT waited
// for it) is in neither, and recordResends records it. The re-sends reuse
// the rows' parameters: copies is duplicate_count + 1, the time the last
// copy's.
func buildInsertGroupSQL(n int) string {
	param := func(row int, column string) string {
		return fmt.Sprintf("$%d", row*len(inboxColumns)+slices.Index(inboxColumns, column)+1)
	}
	var v strings.Builder
	for i := range n {
		if i > 0 {
			v.WriteString(", ")
		}
		fmt.Fprintf(&v, "(%s::bytea, %s::integer + 1, COALESCE(%s::timestamptz, %s::timestamptz))", param(i, "dedup_key"),
			param(i, "duplicate_count"), param(i, "last_duplicate_at"), param(i, "received_at"))
	}
	return "WITH ins AS (" + sqlx.Rebind(sqlx.DOLLAR, buildInsertInboxSQL(n)) + " RETURNING id, dedup_key, status),\n" +
		"v (dedup_key, copies, received_at) AS (VALUES " + v.String() + "),\n" +
		"prior AS (SELECT i.id, i.dedup_key, i.status, v.copies, v.received_at FROM v JOIN inbox i ON i.dedup_key = v.dedup_key),\n" +
		"rec AS (INSERT INTO inbox_resends (dedup_key, copies, received_at) SELECT dedup_key, copies, received_at FROM prior)\n" +
		"SELECT id, dedup_key, status, FALSE FROM ins UNION ALL SELECT id, dedup_key, status, TRUE FROM prior"
}
