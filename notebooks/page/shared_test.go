package page

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootAndSharedFile(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "notebooks", "page", "shared.go")); err != nil {
		t.Fatalf("root %s: %v", root, err)
	}
	_, err = SharedFile("datasets/no-such-set/data.csv")
	want := filepath.Join(filepath.Dir(root), "shared", "datasets", "no-such-set", "data.csv")
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("missing shared file: error %v, want one naming %s", err, want)
	}
}
