package open311

import (
	"io"
	"log/slog"
	"testing"

	configfiles "github.com/hotline12345/hotline/config"
	"github.com/hotline12345/hotline/internal/domain/catalog"
)

func shippedCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(configfiles.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustLeaf(t testing.TB, c *catalog.Catalog, code string) catalog.Category {
	t.Helper()
	leaf, ok := c.LeafCategory(code)
	if !ok {
		t.Fatalf("no leaf %s", code)
	}
	return leaf
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
