package page

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

// marker matches a region marker line: "// page:begin NAME" or "// page:end NAME".
var marker = regexp.MustCompile(`^\s*//\s*page:(begin|end)\s+(\S+)\s*$`)

// region returns the lines between the begin and end markers of name in the .go files of src,
// dedented, without marker lines.
func region(src fs.FS, name string) (string, error) {
	if src == nil {
		return "", fmt.Errorf("page: code %q: the notebook has no Source (embed its .go files)", name)
	}
	files, err := fs.Glob(src, "*.go")
	if err != nil {
		return "", fmt.Errorf("page: code %q: %w", name, err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := fs.ReadFile(src, f)
		if err != nil {
			return "", fmt.Errorf("page: code %q: %w", name, err)
		}
		lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
		start := -1
		for i, l := range lines {
			m := marker.FindStringSubmatch(l)
			if m == nil || m[2] != name {
				continue
			}
			if m[1] == "begin" {
				if start >= 0 {
					return "", fmt.Errorf("page: code %q: %s:%d: begins twice", name, f, i+1)
				}
				start = i + 1
				continue
			}
			if start < 0 {
				return "", fmt.Errorf("page: code %q: %s:%d: ends before it begins", name, f, i+1)
			}
			var body []string
			for _, l := range lines[start:i] {
				if !marker.MatchString(l) {
					body = append(body, l)
				}
			}
			code := strings.Trim(strings.Join(dedent(body), "\n"), "\n")
			if strings.TrimSpace(code) == "" {
				return "", fmt.Errorf("page: code %q: %s:%d: the region is empty", name, f, start)
			}
			return code, nil
		}
		if start >= 0 {
			return "", fmt.Errorf("page: code %q: %s:%d: no \"// page:end %s\"", name, f, start, name)
		}
	}
	return "", fmt.Errorf("page: code %q: no \"// page:begin %s\" line in %v", name, name, files)
}

// dedent removes the longest common leading whitespace of the non-blank lines and trailing
// whitespace of every line.
func dedent(lines []string) []string {
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		for !strings.HasPrefix(ws, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(strings.TrimPrefix(l, prefix), " \t")
	}
	return out
}
