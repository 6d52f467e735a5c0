package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/intentlab/intentlab/graph"
)

// Checkpoint is the training state written after every epoch: enough to resume a run to the same result
// as an uninterrupted one.
type Checkpoint struct {
	Epoch     int               `json:"epoch"`     // epochs completed
	Step      int               `json:"step"`      // optimizer steps taken
	Params    []Tensor          `json:"params"`    // every parameter of the store, in its order
	Optimizer OptimizerState    `json:"optimizer"` // the optimizer's slots
	RNG       map[string][]byte `json:"rng"`       // named random-source states (MarshalBinary of math/rand/v2 PCG)
	Meta      json.RawMessage   `json:"meta"`      // the caller's extra state (early stopping, history), opaque here
}

// Tensor is a named parameter value: shape and row-major values in float64 (exact for float32).
type Tensor struct {
	Name   string    `json:"name"`
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

// ErrChecksum is wrapped by Load's error when the payload does not match its SHA-256.
var ErrChecksum = errors.New("checksum mismatch: the file is corrupted")

// checkpointMagic starts every checkpoint file; the word after it is the format version.
const (
	checkpointMagic   = "intentlab-checkpoint "
	checkpointVersion = "v1"
	checkpointHeader  = checkpointMagic + checkpointVersion + "\n"
)

// ParamsOf copies every parameter of store, in declaration order.
func ParamsOf(store *graph.Store) []Tensor {
	params := store.Params()
	out := make([]Tensor, len(params))
	for i, p := range params {
		out[i] = Tensor{Name: p.Name, Shape: slices.Clone([]int(p.Value.Shape())), Values: graph.Float64s(p.Value)}
	}
	return out
}

// Restore writes c's parameter values into store. A parameter of the store missing from c, a parameter of
// c the store does not declare, a shape that differs, or a value count that does not match its shape is
// an error naming the parameter, and then the store is left unchanged.
func (c *Checkpoint) Restore(store *graph.Store) error {
	byName := make(map[string]*Tensor, len(c.Params))
	for i := range c.Params {
		t := &c.Params[i]
		if _, dup := byName[t.Name]; dup {
			return fmt.Errorf("checkpoint: parameter %q appears twice", t.Name)
		}
		byName[t.Name] = t
	}
	params := store.Params()
	for _, p := range params {
		t, ok := byName[p.Name]
		if !ok {
			return fmt.Errorf("checkpoint: no parameter %q (the model declares it)", p.Name)
		}
		if want := []int(p.Value.Shape()); !slices.Equal(t.Shape, want) {
			return fmt.Errorf("checkpoint: parameter %q has shape %v, the model's is %v", p.Name, t.Shape, want)
		}
		if len(t.Values) != p.Value.Shape().TotalSize() {
			return fmt.Errorf("checkpoint: parameter %q has %d values for shape %v", p.Name, len(t.Values), t.Shape)
		}
	}
	if len(byName) != len(params) {
		for _, t := range c.Params {
			if _, ok := store.Get(t.Name); !ok {
				return fmt.Errorf("checkpoint: parameter %q is not declared by the model", t.Name)
			}
		}
	}
	for _, p := range params {
		if err := graph.CopyFrom(p.Value, byName[p.Name].Values); err != nil {
			return fmt.Errorf("checkpoint: parameter %q: %w", p.Name, err)
		}
	}
	return nil
}

// Save writes c to path atomically: to a temporary file in the same directory, synced to disk, renamed
// over path, and the directory synced, so that path always holds either the old checkpoint or the new
// one. The file is readable by others (0644).
//
// The format (version 1) is the line "intentlab-checkpoint v1\n", the payload length (uint64), the
// payload, and the SHA-256 of the payload. The payload is little-endian: epoch and step (int64); the
// parameters (count, then name, rank, dims, value count, float64 bits); the optimizer step and slots
// (count, then name, value count, float64 bits); the RNG states sorted by name (count, then name, bytes);
// meta (bytes). A string or byte array is a uint64 length and its bytes. Values round-trip bit for bit.
func Save(path string, c *Checkpoint) (err error) {
	if c == nil {
		return fmt.Errorf("save checkpoint %s: nil checkpoint", path)
	}
	payload := encodeCheckpoint(c)
	sum := sha256.Sum256(payload)
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var size [8]byte
	binary.LittleEndian.PutUint64(size[:], uint64(len(payload)))
	for _, part := range [][]byte{[]byte(checkpointHeader), size[:], payload, sum[:]} {
		if _, err = f.Write(part); err != nil {
			return fmt.Errorf("save checkpoint %s: %w", path, err)
		}
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("save checkpoint %s: sync directory: %w", path, err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil {
		return fmt.Errorf("save checkpoint %s: sync directory: %w", path, err)
	}
	return nil
}

// Load reads a checkpoint written by Save. A file that does not start with the magic line, an unknown
// version, a truncated file and a payload that fails its checksum (an error wrapping ErrChecksum) are
// errors naming the file.
func Load(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	payload, err := checkpointPayload(data)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	c, err := decodeCheckpoint(payload)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	return c, nil
}

// checkpointPayload checks the header, the length and the checksum of a checkpoint file and returns its
// payload.
func checkpointPayload(data []byte) ([]byte, error) {
	line, _, found := bytes.Cut(data[:min(len(data), 64)], []byte("\n"))
	switch {
	case !found && bytes.HasPrefix([]byte(checkpointHeader), data):
		return nil, fmt.Errorf("truncated after %d bytes, inside the header", len(data))
	case !bytes.HasPrefix(line, []byte(checkpointMagic)):
		return nil, fmt.Errorf("not an intentlab checkpoint (no %q header)", checkpointMagic+checkpointVersion)
	case !found || string(line[len(checkpointMagic):]) != checkpointVersion:
		return nil, fmt.Errorf("unsupported checkpoint version %q (this build reads %s)", line[len(checkpointMagic):], checkpointVersion)
	}
	rest := data[len(checkpointHeader):]
	if len(rest) < 8 {
		return nil, fmt.Errorf("truncated after %d bytes, inside the payload length", len(data))
	}
	n := binary.LittleEndian.Uint64(rest)
	rest = rest[8:]
	if uint64(len(rest)) < sha256.Size || n > uint64(len(rest)-sha256.Size) {
		return nil, fmt.Errorf("truncated: %d bytes, but the header announces a %d-byte payload and a %d-byte checksum after %d header bytes", len(data), n, sha256.Size, len(checkpointHeader)+8)
	}
	if extra := uint64(len(rest)-sha256.Size) - n; extra > 0 {
		return nil, fmt.Errorf("%d unexpected bytes after the checksum (the file is corrupted)", extra)
	}
	payload := rest[:n]
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], rest[n:]) {
		return nil, ErrChecksum
	}
	return payload, nil
}

// encodeCheckpoint lays c out as the payload described in Save.
func encodeCheckpoint(c *Checkpoint) []byte {
	size := 64 + len(c.Meta)
	for _, t := range c.Params {
		size += 32 + len(t.Name) + 8*len(t.Shape) + 8*len(t.Values)
	}
	for _, s := range c.Optimizer.Slots {
		size += 16 + len(s.Name) + 8*len(s.Values)
	}
	names := make([]string, 0, len(c.RNG))
	for name, state := range c.RNG {
		names = append(names, name)
		size += 16 + len(name) + len(state)
	}
	slices.Sort(names)

	b := make([]byte, 0, size)
	u64 := func(v uint64) { b = binary.LittleEndian.AppendUint64(b, v) }
	str := func(s string) { u64(uint64(len(s))); b = append(b, s...) }
	floats := func(vs []float64) {
		u64(uint64(len(vs)))
		for _, v := range vs {
			u64(math.Float64bits(v))
		}
	}
	u64(uint64(int64(c.Epoch)))
	u64(uint64(int64(c.Step)))
	u64(uint64(len(c.Params)))
	for _, t := range c.Params {
		str(t.Name)
		u64(uint64(len(t.Shape)))
		for _, d := range t.Shape {
			u64(uint64(int64(d)))
		}
		floats(t.Values)
	}
	u64(uint64(int64(c.Optimizer.Step)))
	u64(uint64(len(c.Optimizer.Slots)))
	for _, s := range c.Optimizer.Slots {
		str(s.Name)
		floats(s.Values)
	}
	u64(uint64(len(names)))
	for _, name := range names {
		str(name)
		str(string(c.RNG[name]))
	}
	str(string(c.Meta))
	return b
}

// decodeCheckpoint parses a payload written by encodeCheckpoint. Every count is checked against the bytes
// left before anything is allocated, so a malformed payload is an error, never a huge allocation.
func decodeCheckpoint(payload []byte) (*Checkpoint, error) {
	d := &decoder{b: payload}
	c := &Checkpoint{Epoch: d.int(), Step: d.int()}
	if n := d.count(8 * 3); n > 0 {
		c.Params = make([]Tensor, n)
		for i := range c.Params {
			t := &c.Params[i]
			t.Name = d.str()
			t.Shape = make([]int, d.count(8))
			for j := range t.Shape {
				t.Shape[j] = d.int()
			}
			t.Values = d.floats()
			if d.err == nil && !sizeMatches(t.Shape, len(t.Values)) {
				return nil, fmt.Errorf("parameter %q: %d values for shape %v", t.Name, len(t.Values), t.Shape)
			}
		}
	}
	c.Optimizer.Step = d.int()
	if n := d.count(8 * 2); n > 0 {
		c.Optimizer.Slots = make([]Slot, n)
		for i := range c.Optimizer.Slots {
			c.Optimizer.Slots[i] = Slot{Name: d.str(), Values: d.floats()}
		}
	}
	if n := d.count(8 * 2); n > 0 {
		c.RNG = make(map[string][]byte, n)
		for range n {
			name := d.str()
			c.RNG[name] = d.bytes()
		}
	}
	if meta := d.bytes(); len(meta) > 0 {
		c.Meta = meta
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d unexpected bytes at the end of the payload", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("malformed payload: %w", d.err)
	}
	return c, nil
}

// sizeMatches reports whether shape (non-negative dims) holds n values.
func sizeMatches(shape []int, n int) bool {
	size := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && size > math.MaxInt/d) {
			return false
		}
		size *= d
	}
	return size == n
}

// decoder reads the little-endian payload; the first error sticks and later reads return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = fmt.Errorf("payload ends early")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) int() int {
	v := int64(d.u64())
	if int64(int(v)) != v {
		d.err = fmt.Errorf("integer %d out of range", v)
		return 0
	}
	return int(v)
}

// count reads an element count whose elements take at least minBytes each.
func (d *decoder) count(minBytes int) int {
	n := d.u64()
	if d.err == nil && n > uint64(len(d.b)/minBytes) {
		d.err = fmt.Errorf("count %d exceeds the %d bytes left", n, len(d.b))
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count(1)
	if d.err != nil || n == 0 {
		return nil
	}
	v := slices.Clone(d.b[:n])
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) floats() []float64 {
	n := d.count(8)
	if d.err != nil {
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(d.b[8*i:]))
	}
	d.b = d.b[8*n:]
	return v
}
