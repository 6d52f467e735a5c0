package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
)

// testStore makes a store of the given dtype with three parameters drawn from N(0, 1) with seed, then
// plants special values: −0, the smallest subnormal, a mid-range subnormal and the largest finite value
// of the dtype.
func testStore(t *testing.T, dtype tensor.Dtype, seed uint64) *graph.Store {
	t.Helper()
	store := graph.NewStore(dtype, rand.New(rand.NewPCG(seed, 2)))
	for _, p := range []struct {
		name  string
		shape tensor.Shape
	}{{"enc.w", tensor.Shape{3, 5}}, {"enc.b", tensor.Shape{5}}, {"head.w", tensor.Shape{5, 1}}} {
		if _, err := store.Add(p.name, p.shape, graph.Normal(1)); err != nil {
			t.Fatal(err)
		}
	}
	special := []float64{math.Copysign(0, -1), math.SmallestNonzeroFloat64, 1e-310, math.MaxFloat64}
	if dtype == tensor.Float32 {
		special = []float64{math.Copysign(0, -1), math.SmallestNonzeroFloat32, 1e-40, math.MaxFloat32}
	}
	p, _ := store.Get("enc.b")
	vals := graph.Float64s(p.Value)
	copy(vals, special)
	if err := store.SetValues("enc.b", vals); err != nil {
		t.Fatal(err)
	}
	return store
}

// testCheckpoint makes a checkpoint of store with the state of an Adam optimizer after two steps (on a
// copy of the parameters, so that the store keeps its special values), three RNG states and some meta.
func testCheckpoint(t *testing.T, store *graph.Store) *Checkpoint {
	t.Helper()
	opt, _ := NewOptimizer(OptimizerConfig{})
	var copies []*graph.Param
	for _, p := range store.Params() {
		copies = append(copies, &graph.Param{Name: p.Name, Value: p.Value.Clone().(*tensor.Dense)})
	}
	stepSequence(t, opt, copies, 0, 2)
	rng := map[string][]byte{}
	for i, name := range []string{"shuffle", "dropout", "init"} {
		src := rand.NewPCG(uint64(i), 7)
		src.Uint64()
		b, err := src.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		rng[name] = b
	}
	return &Checkpoint{
		Epoch: 3, Step: 2, Params: ParamsOf(store), Optimizer: opt.State(), RNG: rng,
		Meta: json.RawMessage(`{"best_epoch":2,"history":[0.7,0.6]}`),
	}
}

// sameBits reports whether two float64 slices hold the same bit patterns.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func checkSameCheckpoint(t *testing.T, got, want *Checkpoint) {
	t.Helper()
	if got.Epoch != want.Epoch || got.Step != want.Step || got.Optimizer.Step != want.Optimizer.Step {
		t.Fatalf("epoch/step/optimizer step = %d/%d/%d, want %d/%d/%d", got.Epoch, got.Step, got.Optimizer.Step, want.Epoch, want.Step, want.Optimizer.Step)
	}
	if len(got.Params) != len(want.Params) || len(got.Optimizer.Slots) != len(want.Optimizer.Slots) {
		t.Fatalf("%d params and %d slots, want %d and %d", len(got.Params), len(got.Optimizer.Slots), len(want.Params), len(want.Optimizer.Slots))
	}
	for i, p := range want.Params {
		g := got.Params[i]
		if g.Name != p.Name || !slices.Equal(g.Shape, p.Shape) || !sameBits(g.Values, p.Values) {
			t.Fatalf("param %d: %s %v differs from %s %v", i, g.Name, g.Shape, p.Name, p.Shape)
		}
	}
	for i, s := range want.Optimizer.Slots {
		if g := got.Optimizer.Slots[i]; g.Name != s.Name || !sameBits(g.Values, s.Values) {
			t.Fatalf("slot %d: %s differs from %s", i, g.Name, s.Name)
		}
	}
	if len(got.RNG) != len(want.RNG) {
		t.Fatalf("%d RNG states, want %d", len(got.RNG), len(want.RNG))
	}
	for name, b := range want.RNG {
		if !bytes.Equal(got.RNG[name], b) {
			t.Fatalf("RNG %q differs", name)
		}
	}
	if !bytes.Equal(got.Meta, want.Meta) {
		t.Fatalf("meta %s, want %s", got.Meta, want.Meta)
	}
}

// TestCheckpointRoundTrip saves and loads float32 and float64 checkpoints (random values, −0,
// subnormals, the largest finite value) and checks every bit, then restores into a store built with
// another seed and checks its parameters are bit-identical to the original store's; finally the restored
// RNG state continues the original stream.
func TestCheckpointRoundTrip(t *testing.T) {
	for _, dtype := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dtype.String(), func(t *testing.T) {
			store := testStore(t, dtype, 1)
			c := testCheckpoint(t, store)
			path := filepath.Join(t.TempDir(), "checkpoint.bin")
			if err := Save(path, c); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			checkSameCheckpoint(t, got, c)

			other := testStore(t, dtype, 99)
			if sameBits(graph.Float64s(other.Params()[0].Value), c.Params[0].Values) {
				t.Fatal("test stores with different seeds are equal")
			}
			if err := got.Restore(other); err != nil {
				t.Fatal(err)
			}
			for i, p := range store.Params() {
				if !sameBits(graph.Float64s(other.Params()[i].Value), graph.Float64s(p.Value)) {
					t.Errorf("restored %s differs from the saved store", p.Name)
				}
			}
			if b := graph.Float64s(other.Params()[1].Value)[0]; b != 0 || !math.Signbit(b) {
				t.Errorf("−0 restored as %v", b)
			}

			orig := rand.NewPCG(1, 7)
			orig.Uint64()
			var resumed rand.PCG
			if err := resumed.UnmarshalBinary(got.RNG["dropout"]); err != nil {
				t.Fatal(err)
			}
			if a, b := orig.Uint64(), resumed.Uint64(); a != b {
				t.Errorf("restored RNG draws %d, original %d", b, a)
			}
		})
	}
}

// TestCheckpointEmpty round-trips a checkpoint with nothing in it.
func TestCheckpointEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c")
	if err := Save(path, &Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSameCheckpoint(t, got, &Checkpoint{})
	if err := Save(path, nil); err == nil {
		t.Error("Save(nil) succeeded")
	}
}

// TestCheckpointDeterministic: the same checkpoint gives the same bytes, whatever the map order.
func TestCheckpointDeterministic(t *testing.T) {
	c := testCheckpoint(t, testStore(t, tensor.Float32, 1))
	dir := t.TempDir()
	var files [][]byte
	for i := range 5 {
		path := filepath.Join(dir, "c"+string(rune('0'+i)))
		if err := Save(path, c); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	for i := 1; i < len(files); i++ {
		if !bytes.Equal(files[i], files[0]) {
			t.Fatalf("save %d wrote different bytes from save 0", i)
		}
	}
	if !bytes.HasPrefix(files[0], []byte("intentlab-checkpoint v1\n")) {
		t.Errorf("file starts %q", files[0][:30])
	}
}

// smallCheckpointFile writes a small checkpoint and returns its path and bytes.
func smallCheckpointFile(t *testing.T) (string, []byte) {
	t.Helper()
	store := graph.NewStore(tensor.Float32, rand.New(rand.NewPCG(1, 2)))
	if _, err := store.Add("w", tensor.Shape{2, 2}, graph.Normal(1)); err != nil {
		t.Fatal(err)
	}
	c := testCheckpoint(t, store)
	path := filepath.Join(t.TempDir(), "small.ckpt")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestCheckpointCorruption flips every byte of a small checkpoint in turn (by three masks: the low bit,
// the high bit, all bits) and checks that Load fails every time without panicking; in the payload and the
// checksum the error wraps ErrChecksum and names the file.
func TestCheckpointCorruption(t *testing.T) {
	path, data := smallCheckpointFile(t)
	payloadStart := len("intentlab-checkpoint v1\n") + 8
	bad := filepath.Join(filepath.Dir(path), "bad.ckpt")
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			corrupt := slices.Clone(data)
			corrupt[i] ^= mask
			if err := os.WriteFile(bad, corrupt, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := loadNoPanic(t, bad)
			if err == nil {
				t.Fatalf("byte %d ^ %#x: Load succeeded (%d params)", i, mask, len(c.Params))
			}
			if i >= payloadStart {
				if !errors.Is(err, ErrChecksum) {
					t.Fatalf("byte %d ^ %#x: %v, want ErrChecksum", i, mask, err)
				}
				if !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "checksum mismatch: the file is corrupted") {
					t.Fatalf("byte %d: message %q", i, err)
				}
			}
		}
	}
}

func loadNoPanic(t *testing.T, path string) (c *Checkpoint, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Load panicked: %v", r)
		}
	}()
	return Load(path)
}

// TestCheckpointTruncated cuts a checkpoint at several points; each is a clear "truncated" error.
func TestCheckpointTruncated(t *testing.T) {
	path, data := smallCheckpointFile(t)
	header := len("intentlab-checkpoint v1\n")
	for _, n := range []int{0, 10, header, header + 3, header + 8, header + 20, len(data) / 2, len(data) - 32, len(data) - 1} {
		if err := os.WriteFile(path, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), path) {
			t.Errorf("cut at %d of %d bytes: got %v, want a truncated error naming the file", n, len(data), err)
		}
	}
	if err := os.WriteFile(path, append(slices.Clone(data), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "1 unexpected bytes after the checksum") {
		t.Errorf("one byte appended: got %v", err)
	}
}

// TestCheckpointHeader: another file is "not an intentlab checkpoint", another version is unsupported.
func TestCheckpointHeader(t *testing.T) {
	path, data := smallCheckpointFile(t)
	cases := []struct {
		data []byte
		want string
	}{
		{[]byte(`{"epoch": 3}` + "\n"), "not an intentlab checkpoint"},
		{[]byte("PK\x03\x04 some zip file with no newline at all in its first sixty-four bytes............"), "not an intentlab checkpoint"},
		{bytes.Replace(data, []byte("v1\n"), []byte("v2\n"), 1), `unsupported checkpoint version "v2" (this build reads v1)`},
		{bytes.Replace(data, []byte("v1\n"), []byte("v10\n"), 1), `unsupported checkpoint version "v10"`},
	}
	for _, c := range cases {
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%.20q: got %v, want %q", c.data, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("loading a missing file succeeded")
	}
}

// TestSaveAtomic: Save leaves no temporary file, replaces an existing checkpoint, and a Save that fails
// leaves the old checkpoint intact and no temporary file behind.
func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint")
	first := &Checkpoint{Epoch: 1, Meta: json.RawMessage(`"first"`)}
	second := &Checkpoint{Epoch: 2, Meta: json.RawMessage(`"second"`)}
	if err := Save(path, first); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, second); err != nil {
		t.Fatal(err)
	}
	onlyFiles(t, dir, "checkpoint")
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Epoch != 2 || string(got.Meta) != `"second"` {
		t.Errorf("after saving over it: epoch %d meta %s, want the second checkpoint", got.Epoch, got.Meta)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v (%v), want 0644", info.Mode(), err)
	}

	// A missing directory: nothing is written anywhere.
	if err := Save(filepath.Join(dir, "no", "such", "dir", "checkpoint"), first); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	// The rename fails (the target is a non-empty directory) after the temporary file was written: the
	// temporary file is removed and the directory's content is untouched.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Save(blocked, first); err == nil {
		t.Error("Save over a directory succeeded")
	}
	onlyFiles(t, dir, "blocked", "checkpoint")
	// A directory that cannot be written (not enforced for root): the old checkpoint stays.
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		err := Save(path, first)
		os.Chmod(dir, 0o755)
		if err == nil {
			t.Error("Save into a read-only directory succeeded")
		}
	}
	got, err = Load(path)
	if err != nil || got.Epoch != 2 {
		t.Errorf("after failed saves: epoch %v, err %v; want the second checkpoint intact", got, err)
	}
	onlyFiles(t, dir, "blocked", "checkpoint")

	// A Save over an existing checkpoint that fails (also as root): with a 250-byte file name, the
	// temporary file's name (".<name>.tmp-<digits>") exceeds the file system's 255-byte limit.
	// The old checkpoint is put there by copying the file Save wrote at path.
	long := filepath.Join(t.TempDir(), strings.Repeat("c", 250))
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(long, old, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(long, first); err == nil {
		t.Fatal("Save with a too-long temporary name succeeded")
	}
	if got, err := Load(long); err != nil || got.Epoch != 2 {
		t.Errorf("after a failed save over it: %v, err %v; want the old checkpoint intact", got, err)
	}
	onlyFiles(t, filepath.Dir(long), filepath.Base(long))
}

func onlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, want) {
		t.Errorf("directory holds %v, want %v", names, want)
	}
}

// TestRestoreErrors: a missing, extra or misshapen parameter is an error naming it, and the store is
// left unchanged.
func TestRestoreErrors(t *testing.T) {
	store := testStore(t, tensor.Float32, 1)
	before := ParamsOf(store)
	good := func() *Checkpoint {
		c := &Checkpoint{Params: ParamsOf(testStore(t, tensor.Float32, 5))}
		return c
	}
	missing := good()
	missing.Params = missing.Params[:2]
	extra := good()
	extra.Params = append(extra.Params, Tensor{Name: "ghost", Shape: []int{1}, Values: []float64{1}})
	shape := good()
	shape.Params[0].Shape = []int{5, 3}
	count := good()
	count.Params[2].Values = count.Params[2].Values[:4]
	dup := good()
	dup.Params = append(dup.Params, dup.Params[0])
	cases := []struct {
		c    *Checkpoint
		want string
	}{
		{missing, `no parameter "head.w"`},
		{extra, `parameter "ghost" is not declared by the model`},
		{shape, `parameter "enc.w" has shape [5 3], the model's is [3 5]`},
		{count, `parameter "head.w" has 4 values`},
		{dup, `parameter "enc.w" appears twice`},
	}
	for _, c := range cases {
		if err := c.c.Restore(store); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
	for i, p := range ParamsOf(store) {
		if !sameBits(p.Values, before[i].Values) {
			t.Errorf("a failed Restore changed %s", p.Name)
		}
	}
	if err := good().Restore(store); err != nil {
		t.Fatal(err)
	}
}
