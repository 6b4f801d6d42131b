package store

import (
	"context"
	"log/slog"
)

// MigrateDownTo rolls d's schema back to version.
func MigrateDownTo(ctx context.Context, d *DB, version int64) error {
	p, err := d.migrator(slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
