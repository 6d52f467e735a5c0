package datasets

// chunkSize is the number of rows per chunk of a chunks list (about 2 MiB of 32-byte rows).
const chunkSize = 1 << 16

// chunks is an append-only list stored in fixed-size blocks, so growing it never copies the rows
// already read (a plain slice would copy them at each doubling and briefly hold both copies).
type chunks[T any] struct {
	blocks [][]T
	n      int
}

func (c *chunks[T]) add(v T) {
	if len(c.blocks) == 0 || len(c.blocks[len(c.blocks)-1]) == chunkSize {
		c.blocks = append(c.blocks, make([]T, 0, chunkSize))
	}
	last := &c.blocks[len(c.blocks)-1]
	*last = append(*last, v)
	c.n++
}

// arena hands out small slices carved from shared blocks, to avoid one allocation per session.
// Each slice has its capacity capped at its length, so appending to it cannot overwrite another.
type arena[T any] struct{ block []T }

func (a *arena[T]) take(n int) []T {
	if n > len(a.block) {
		a.block = make([]T, max(n, 4096))
	}
	s := a.block[:n:n]
	a.block = a.block[n:]
	return s
}
