package datasets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxLineBytes bounds one line of an event log.
const maxLineBytes = 1 << 16

// lineReader splits a comma-separated stream into fields without allocating per line. It accepts
// LF and CRLF line ends, a missing final newline and a UTF-8 byte-order mark, and skips blank lines.
// Fields are only valid until the next call.
type lineReader struct {
	name   string
	r      *bufio.Reader
	line   int // line number of the last line read
	start  int // line number where the last record started
	fields [][]byte
	quoted []byte // the current line of a quoted record, copied out of the bufio buffer
	out    []byte // unquoted field bytes of a quoted record
	bounds []int  // field ends in out
}

func newLineReader(r io.Reader, name string) *lineReader {
	return &lineReader{name: name, r: bufio.NewReaderSize(r, maxLineBytes)}
}

// readLine returns the next line without its line end, or io.EOF. A line over maxLineBytes is a
// *ParseError; reading past it is still possible.
func (lr *lineReader) readLine() ([]byte, error) {
	b, err := lr.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.line++
		for errors.Is(err, bufio.ErrBufferFull) { // discard the rest of the line
			_, err = lr.r.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s:%d: %w", lr.name, lr.line, err)
		}
		return nil, &ParseError{File: lr.name, Line: lr.line,
			Want: fmt.Sprintf("a line of at most %d bytes", maxLineBytes), Got: "a longer line"}
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", lr.name, err)
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	lr.line++
	if lr.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

// nonBlank returns the next non-blank line and records where it starts.
func (lr *lineReader) nonBlank() ([]byte, error) {
	for {
		b, err := lr.readLine()
		if err != nil || len(b) > 0 {
			lr.start = lr.line
			return b, err
		}
	}
}

// next returns the fields of the next non-blank line, split at every comma (no quoting).
func (lr *lineReader) next() ([][]byte, error) {
	b, err := lr.nonBlank()
	if err != nil {
		return nil, err
	}
	lr.fields = split(lr.fields[:0], b)
	return lr.fields, nil
}

func split(fields [][]byte, b []byte) [][]byte {
	for {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			return append(fields, b)
		}
		fields = append(fields, b[:i])
		b = b[i+1:]
	}
}

// nextRecord returns the fields of the next non-blank CSV record (RFC 4180): a field may be quoted,
// a doubled quote inside quotes is one quote, and a quoted field may span lines (its CRLF or LF
// becomes "\n"). A quote inside an unquoted field, text after a closing quote, or a quote left
// open at the end of the input is a *ParseError naming the field.
func (lr *lineReader) nextRecord() ([][]byte, error) {
	b, err := lr.nonBlank()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(b, '"') < 0 {
		lr.fields = split(lr.fields[:0], b)
		return lr.fields, nil
	}
	line := append(lr.quoted[:0], b...)
	out, bounds := lr.out[:0], lr.bounds[:0]
	perr := func(field int, want string, got []byte) error {
		lr.quoted, lr.out, lr.bounds = line, out, bounds
		return &ParseError{File: lr.name, Line: lr.start, Column: field + 1, Want: want, Got: string(got)}
	}
	pos := 0
	for field := 0; ; field++ {
		if pos < len(line) && line[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 { // the field goes on to the next line
					out = append(out, line[pos:]...)
					out = append(out, '\n')
					more, err := lr.readLine()
					if err == io.EOF {
						return nil, perr(field, "a closing quote", []byte("end of input"))
					}
					if err != nil {
						return nil, err
					}
					line, pos = append(line[:0], more...), 0
					continue
				}
				out = append(out, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					out = append(out, '"')
					pos++
					continue
				}
				break
			}
			bounds = append(bounds, len(out))
			if pos == len(line) {
				break
			}
			if line[pos] != ',' {
				return nil, perr(field, "a comma or the line end after a closing quote", line[pos:])
			}
			pos++
			continue
		}
		seg := line[pos:]
		i := bytes.IndexByte(seg, ',')
		if i >= 0 {
			seg = seg[:i]
		}
		if bytes.IndexByte(seg, '"') >= 0 {
			return nil, perr(field, "a field without quotes, or all in quotes", seg)
		}
		out = append(out, seg...)
		bounds = append(bounds, len(out))
		if i < 0 {
			break
		}
		pos += i + 1
	}
	lr.quoted, lr.out, lr.bounds = line, out, bounds
	lr.fields = lr.fields[:0]
	from := 0
	for _, to := range bounds {
		lr.fields = append(lr.fields, out[from:to:to])
		from = to
	}
	return lr.fields, nil
}
