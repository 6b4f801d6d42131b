package store

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
)

// SchemaDigest identifies the embedded migrations of both dialects: it
// changes whenever a migration is added or edited. Tests name the migrated
// template database they clone by it, so checkouts with different schemas
// sharing one PostgreSQL server never clone each other's.
func SchemaDigest() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
