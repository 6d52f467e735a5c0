package layers

import (
	"fmt"
	"math"

	"github.com/intentlab/intentlab/graph"
)

// LSTMTrace is one sequence read through an LSTM stack step by step: every gate activation and every
// state of every layer, recomputed in plain Go from the weights in the store (LSTM.Trace). It exists so
// that a student can look inside the recurrence, whatever op the layer's Forward uses.
type LSTMTrace struct {
	// Layers holds one trace per layer of the stack, bottom first.
	Layers []LSTMLayerTrace
}

// LSTMLayerTrace is one layer's activations over a sequence of T steps: each field is [T][H], row t
// the values after reading input t (the equations of LSTM):
//
//	I, F, O  the input, forget and output gates σ(·), in (0, 1)
//	G        the candidate cell value tanh(·), in (−1, 1)
//	C        the cell state c_t = F ⊙ c_{t−1} + I ⊙ G
//	H        the hidden state h_t = O ⊙ tanh(c_t), the layer's output and the next layer's input
type LSTMLayerTrace struct {
	I, F, G, O, C, H [][]float64
}

// Trace runs the stack on one sequence x ([T][D], its real steps only: padding carries the state
// unchanged, so it adds nothing to read) from h = c = 0, with the weights as they are in store, and
// returns every gate and state. It is plain float64 Go, independent of the graph op; a test checks it
// against Forward. It is an error if x is empty, a row of x does not have the stack's input size, or
// the store lacks a parameter of the stack or has one of another shape.
func (l *LSTM) Trace(store *graph.Store, x [][]float64) (*LSTMTrace, error) {
	if len(x) == 0 {
		return nil, fmt.Errorf("lstm %q: trace of an empty sequence", l.Name)
	}
	for t, row := range x {
		if len(row) != l.Cfg.Input {
			return nil, fmt.Errorf("lstm %q: trace: input step %d has %d features, want %d", l.Name, t, len(row), l.Cfg.Input)
		}
	}
	tr := &LSTMTrace{}
	in, d := x, l.Cfg.Input
	for i, h := range l.hs {
		w, u, b, err := l.traceParams(store, i, d, h)
		if err != nil {
			return nil, err
		}
		lt := traceLSTMLayer(in, w, u, b, h)
		tr.Layers = append(tr.Layers, lt)
		in, d = lt.H, h
	}
	return tr, nil
}

// traceParams reads layer i's w (D, 4H), u (H, 4H) and b (4H) from the store, row-major.
func (l *LSTM) traceParams(store *graph.Store, i, d, h int) (w, u, b []float64, err error) {
	var vals [3][]float64
	for k, p := range []struct {
		name string
		size int
	}{{"w", d * 4 * h}, {"u", h * 4 * h}, {"b", 4 * h}} {
		name := graph.Join(layerName(l.Name, i), p.name)
		param, ok := store.Get(name)
		if !ok {
			return nil, nil, nil, fmt.Errorf("lstm %q: trace: no parameter %q in the store", l.Name, name)
		}
		if vals[k] = graph.Float64s(param.Value); len(vals[k]) != p.size {
			return nil, nil, nil, fmt.Errorf("lstm %q: trace: parameter %q has shape %v, want %d values", l.Name, name, param.Value.Shape(), p.size)
		}
	}
	return vals[0], vals[1], vals[2], nil
}

// traceLSTMLayer runs one layer over x [T][D] with gates in the order i, f, g, o along the 4H axis.
func traceLSTMLayer(x [][]float64, w, u, b []float64, h int) LSTMLayerTrace {
	var lt LSTMLayerTrace
	hPrev, cPrev := make([]float64, h), make([]float64, h)
	z := make([]float64, 4*h)
	for _, xt := range x {
		copy(z, b) // z = x_t·W + h_{t−1}·U + b   (4H)
		for d, v := range xt {
			for k, wk := range w[d*4*h : (d+1)*4*h] {
				z[k] += v * wk
			}
		}
		for j, v := range hPrev {
			for k, uk := range u[j*4*h : (j+1)*4*h] {
				z[k] += v * uk
			}
		}
		gi, gf, gg, gO := make([]float64, h), make([]float64, h), make([]float64, h), make([]float64, h)
		c, hs := make([]float64, h), make([]float64, h)
		for j := range h {
			gi[j], gf[j] = traceSigmoid(z[j]), traceSigmoid(z[h+j])
			gg[j], gO[j] = math.Tanh(z[2*h+j]), traceSigmoid(z[3*h+j])
			c[j] = gf[j]*cPrev[j] + gi[j]*gg[j]
			hs[j] = gO[j] * math.Tanh(c[j])
		}
		lt.I, lt.F, lt.G, lt.O = append(lt.I, gi), append(lt.F, gf), append(lt.G, gg), append(lt.O, gO)
		lt.C, lt.H = append(lt.C, c), append(lt.H, hs)
		hPrev, cPrev = hs, c
	}
	return lt
}

func traceSigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
