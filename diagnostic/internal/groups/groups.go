// Package groups lists indexes by key (establishments by commune,
// facilities by commune): one array cut by key, built with one map look-up
// per index, where a map of slices takes two and an append.
package groups

import "slices"

// An Index lists indexes by key.
type Index[I ~int | ~int32] struct {
	slot  map[string]int32 // key -> slot
	start []int32          // indexes of slot k: at[start[k]:start[k+1]]
	at    []I
}

// Of returns the indexes filed under key, in the order they were added;
// nil for a key with none. The slice is clipped: appending to it copies.
func (x *Index[I]) Of(key string) []I {
	k, ok := x.slot[key]
	if !ok {
		return nil
	}
	return x.at[x.start[k]:x.start[k+1]:x.start[k+1]]
}

// Len returns the number of keys.
func (x *Index[I]) Len() int { return len(x.slot) }

// A Builder builds an Index of indexes below n: Add each, in increasing
// order, then call Index.
type Builder[I ~int | ~int32] struct {
	slot   map[string]int32
	slotOf []int32 // slot of each index added, -1 for none
	count  []int32 // indexes per slot
}

// NewBuilder starts an Index of indexes below n, sized for about keys keys.
func NewBuilder[I ~int | ~int32](n, keys int) *Builder[I] {
	return &Builder[I]{slot: make(map[string]int32, keys), slotOf: slices.Repeat([]int32{-1}, n)}
}

// Add files index i under key; an empty key files nothing.
func (b *Builder[I]) Add(i I, key string) {
	if key == "" {
		return
	}
	k, ok := b.slot[key]
	if !ok {
		k = int32(len(b.count))
		b.slot[key] = k
		b.count = append(b.count, 0)
	}
	b.slotOf[i] = k
	b.count[k]++
}

// Index returns the index built; the Builder must not be used after.
func (b *Builder[I]) Index() *Index[I] {
	x := &Index[I]{slot: b.slot, start: make([]int32, len(b.count)+1)}
	for k, n := range b.count {
		x.start[k+1] = x.start[k] + n
	}
	x.at = make([]I, x.start[len(b.count)])
	next := slices.Clone(x.start[:len(b.count)])
	for i, k := range b.slotOf {
		if k >= 0 {
			x.at[next[k]] = I(i)
			next[k]++
		}
	}
	return x
}
