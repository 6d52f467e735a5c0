//go:generate go run .

// Notebook 8, the graph itself: a tiny model's computation graph exported as DOT (and SVG when
// Graphviz's dot is installed), before and after automatic differentiation, and what autodiff added.
//
//	go run ./notebooks/graph          # full mode: rewrites README.md and figures/ here
//	go run ./notebooks/graph -quick   # a smoke run into $TMPDIR/intentlab-notebooks/
package main

import (
	"bytes"
	"embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
	"github.com/intentlab/intentlab/notebooks/page"
)

//go:embed *.go
var source embed.FS

func main() {
	page.Main(page.Notebook{Name: "graph", Title: "8. The graph itself", Source: source}, run)
}

func run(p *page.Page) error {
	p.Text(`
		A Gorgonia program does not compute when you write it. Each call such as gorgonia.Mul adds a
		*node* to a graph: an operation, its inputs and the shape of its result. Nothing runs until a
		machine executes the graph, and that separation is what lets the library differentiate it:
		gorgonia.Grad reads the graph and writes the backward pass into it, as more nodes.

		This notebook builds the smallest model worth drawing, a two-layer network on a batch of 4
		sessions with 3 features, looks at its graph, asks for its gradients and looks again.`)

	p.Section("The forward graph")
	// page:begin model
	store := graph.NewStore(tensor.Float64, rand.New(rand.NewPCG(8, 8)))
	hidden, err := layers.NewDense(store, "hidden", layers.DenseConfig{Input: 3, Output: 2, Activation: layers.Tanh})
	if err != nil {
		return err
	}
	out, err := layers.NewDense(store, "out", layers.DenseConfig{Input: 2, Output: 1})
	if err != nil {
		return err
	}
	b := graph.NewBuilder(store, graph.BuilderConfig{})
	loss, err := network(b, hidden, out) // the forward pass and the loss, as nodes of b.G
	if err != nil {
		return err
	}
	// page:end model
	p.Code("model")
	p.Code("network")
	forward := slices.Clone(b.G.AllNodes())
	var dot bytes.Buffer
	if err := graph.WriteDOTConfig(&dot, b.G, graph.DOTConfig{Title: "forward graph", Params: b.Params()}); err != nil {
		return err
	}
	p.Textf("The graph has %d nodes. Leaves (ellipses) are the inputs and, in blue, the %d parameters the "+
		"layers declared in the store; boxes are operations, numbered by node id, with the shape of what they "+
		"compute. Arrows carry values from inputs to the operations that use them, numbered when an "+
		"operation takes several.", len(forward), len(b.Params()))
	p.DOT("forward", "The forward graph of the two-layer network and its loss.", dot.Bytes())
	p.Text(`
		Each Dense layer is two operations: a matrix product x·W (MatMul), then BiasAct, one fused
		operation that adds the bias and applies the activation (layers/dense_ops.go). The loss is
		written out in elementary operations, and gorgonia.Mean itself becomes a sum (Σ) divided
		(÷) by the number of elements (the SizeOf nodes and their product).`)

	p.Section("What autodiff adds")
	p.Text(`
		Now ask for the gradient of the loss with respect to every parameter. Reverse-mode
		differentiation walks the graph from the loss back to the parameters and, for each
		operation on the way, adds the nodes that turn the gradient of its output into the gradients
		of its inputs (the vector–Jacobian product).`)
	// page:begin grad
	grads, err := gorgonia.Grad(loss, b.Params()...) // one gradient node per parameter
	if err != nil {
		return err
	}
	// page:end grad
	p.Code("grad")
	training := b.G.AllNodes()
	before, after := graph.CountOps(forward), graph.CountOps(training)
	rows := [][]string{}
	for _, kind := range sortedKinds(before, after) {
		rows = append(rows, []string{"`" + kind + "`", fmt.Sprint(before[kind]), fmt.Sprint(after[kind]), fmt.Sprint(after[kind] - before[kind])})
	}
	rows = append(rows, []string{"**all**", fmt.Sprint(len(forward)), fmt.Sprint(len(training)), fmt.Sprint(len(training) - len(forward))})
	p.Table([]string{"node kind", "forward graph", "after gorgonia.Grad", "added"}, rows)
	dot.Reset()
	if err := graph.WriteDOTConfig(&dot, b.G, graph.DOTConfig{Title: "training graph: forward and backward",
		Params: b.Params(), Before: forward}); err != nil {
		return err
	}
	p.DOT("training", "The training graph: the forward graph (white) and the backward pass that gorgonia.Grad added (orange).", dot.Bytes())
	p.Textf("gorgonia.Grad added %d nodes to a forward graph of %d. Read the orange part from the loss "+
		"downwards; each step applies the chain rule to one forward operation:", len(training)-len(forward), len(forward))
	p.Text(`
		- **The seed.** A constant 1, ∂L/∂L, starts the backward pass.
		- **The mean.** L = Σ / n, so the sum's gradient is 1/n (a ÷), and a sum passes its gradient
		  to every element it added: Reshape and two Repeats broadcast it back to the (4, 1) shape of
		  the per-session losses.
		- **The loss terms.** The difference passes the gradient on to softplus(z) and, negated
		  (neg), to y ⊙ z. softplus′(z) = σ(z), so a sigmoid and a ⊙ appear; y ⊙ z sends −g ⊙ y to z.
		  The two paths into z meet in a +: z was used twice, so its gradients add up.
		- **Each Dense layer.** intentlab's MatMul has hand-written gradients: MatMulGradW computes
		  ∂L/∂W = xᵀ·∂L/∂y and MatMulGradX computes ∂L/∂x = ∂L/∂y·Wᵀ. BiasAct's gradient is ColSum,
		  ∂L/∂b summed over the batch, and for the tanh layer ActGrad, tanh′ = 1 − tanh², applied
		  to the gradient on its way down.

		Some orange nodes lead nowhere: the gradients with respect to the data x and y, and with
		respect to the mean's divisor. Grad differentiates every node on the way back from the loss,
		data included, and no parameter needs those. The four nodes a training step reads are the
		gradients of the parameters:`)
	rows = [][]string{}
	for i, param := range b.Params() {
		rows = append(rows, []string{"`" + param.Name() + "`", fmt.Sprint(param.Shape()),
			fmt.Sprintf("%d: `%s`", grads[i].ID(), graph.OpKind(grads[i])), fmt.Sprint(grads[i].Shape())})
	}
	p.Table([]string{"parameter", "shape", "gradient node", "its shape"}, rows)

	p.Section("Do the added nodes compute the right thing?")
	p.Text(`
		A graph that looks right can still be wrong. graph.Compile builds the same backward pass
		into a program, and graph.CheckGradients compares every element of every gradient with a
		central difference of the loss, (L(w + ε) − L(w − ε)) / 2ε. Every layer of intentlab is
		tested this way; here is the check for this network on one batch:`)
	// page:begin check
	train := graph.NewBuilder(store, graph.BuilderConfig{Train: true}) // a second graph on the same weights
	tloss, err := network(train, hidden, out)
	if err != nil {
		return err
	}
	prog, err := graph.Compile(train, tloss) // adds the backward pass, compiles once
	if err != nil {
		return err
	}
	defer prog.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	features := make([]float64, 4*3)
	for i := range features {
		features[i] = rng.NormFloat64()
	}
	if err := prog.Set("x", features); err != nil {
		return err
	}
	if err := prog.Set("y", []float64{1, 0, 0, 1}); err != nil {
		return err
	}
	worst, err := graph.CheckGradients(prog, graph.GradCheck{}) // ε = 1e-5, tolerance 1e-6
	if err != nil {
		return err
	}
	// page:end check
	p.Code("check")
	rows = [][]string{}
	for _, e := range worst {
		rows = append(rows, []string{"`" + e.Param + "`", fmt.Sprintf("%.6g", e.Autodiff), fmt.Sprintf("%.6g", e.Numeric), fmt.Sprintf("%.1e", e.RelError)})
	}
	p.Textf("The loss on this batch is %.4f. The worst element of each gradient:", prog.Loss())
	p.Table([]string{"parameter", "autodiff", "central difference", "relative error"}, rows)
	largest := 0.0
	for _, e := range worst {
		largest = max(largest, e.RelError)
	}
	p.Textf("Every element agrees to a relative error of at most %.1e, far inside the 1e-6 tolerance and about "+
		"what float64 central differences can resolve: the nodes the graph grew compute the derivative of the "+
		"forward pass. The same check guards every layer and custom operation in layers/.", largest)
	return nil
}

// page:begin network
// network adds the two-layer network and its loss to b's graph: inputs x (B, 3) and y (B, 1).
func network(b *graph.Builder, hidden, out *layers.Dense) (*gorgonia.Node, error) {
	x, err := b.Input("x", 4, 3) // (B, 3) features
	if err != nil {
		return nil, err
	}
	y, err := b.Input("y", 4, 1) // (B, 1) labels, 0 or 1
	if err != nil {
		return nil, err
	}
	h, err := hidden.Forward(b, x) // (B, 2) tanh(x·W1 + b1)
	if err != nil {
		return nil, err
	}
	z, err := out.Forward(b, h) // (B, 1) logits h·W2 + b2
	if err != nil {
		return nil, err
	}
	// Binary cross-entropy from logits, mean(softplus(z) − y ⊙ z): a scalar.
	return gorgonia.Mean(gorgonia.Must(gorgonia.Sub(gorgonia.Must(gorgonia.Softplus(z)), gorgonia.Must(gorgonia.HadamardProd(y, z)))))
}

// page:end network

// sortedKinds lists the node kinds of either count, leaves and constants first, then by name.
func sortedKinds(a, b map[string]int) []string {
	var kinds []string
	for k := range b {
		kinds = append(kinds, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			kinds = append(kinds, k)
		}
	}
	rank := func(k string) int {
		switch k {
		case "leaf":
			return 0
		case "const":
			return 1
		}
		return 2
	}
	slices.SortFunc(kinds, func(x, y string) int {
		if d := rank(x) - rank(y); d != 0 {
			return d
		}
		return strings.Compare(x, y)
	})
	return kinds
}
