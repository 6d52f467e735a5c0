package page

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Root returns intentlab's repository root: the first directory at or above the working directory
// whose go.mod declares module github.com/intentlab/intentlab.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("page: %w", err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.HasPrefix(bytes.TrimSpace(b), []byte("module github.com/intentlab/intentlab")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("page: intentlab's go.mod not found above the working directory: run inside the repository or give -out DIR")
		}
		dir = parent
	}
}

// SharedFile returns the path of rel (slash-separated) in the project's shared directory, ../shared
// next to the repository root, where data sets that are not committed live (such as
// datasets/uci-online-shoppers/online_shoppers_intention.csv). A missing file is an error that names
// the path it looked for.
func SharedFile(rel string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	path := filepath.Join(filepath.Dir(root), "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("page: shared file %s: %w (it is not committed; see the data set's README for where to get it)", path, err)
	}
	return path, nil
}
