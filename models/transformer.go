package models

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/graph"
	"github.com/intentlab/intentlab/layers"
)

// Pooling modes of the Transformer encoder.
const (
	PoolMean      = "mean"      // average over the real events
	PoolAttention = "attention" // learned attention weights over the real events
	PoolLast      = "last"      // the vector at the last real event
)

// TransformerEncoderConfig configures a Transformer sequence encoder: the one of the transformer model,
// and fusion's. Zero values take the defaults.
type TransformerEncoderConfig struct {
	Dim    int `json:"dim,omitempty"`    // model width D; default 64; a multiple of Heads
	Heads  int `json:"heads,omitempty"`  // attention heads; default 4
	Blocks int `json:"blocks,omitempty"` // encoder blocks; default 2
	// FF is the hidden width of each block's feed-forward network; default 4·Dim, the ratio of the
	// original Transformer that BST keeps.
	FF int `json:"ff,omitempty"`
	// MaxLen is the number of learned positions, the longest batch length the model accepts; default
	// 128 (it costs MaxLen·Dim weights, and positions beyond the batch length get no gradient).
	MaxLen int `json:"max_len,omitempty"`
	// Dropout is the rate on the input vectors and inside every block, training only; 0.1 in the
	// registered defaults, none at the zero value.
	Dropout float64 `json:"dropout"`
	// PreNorm puts each block's layer norm before its sub-layer (GPT-2) and adds a final layer norm;
	// the default is the original post-norm block.
	PreNorm bool `json:"pre_norm"`
	// Pool turns the sequence into one vector: "mean" (default), "attention" or "last".
	Pool string `json:"pool,omitempty"`
	// Items adds the item embedding E_item, as BST has; default false, for the reason EventConfig
	// gives (with it, this model's validation ROC-AUC on the default synthetic data peaked at 0.809
	// while its training loss kept falling).
	Items bool `json:"items,omitempty"`
}

// TransformerConfig configures the Transformer model. Its encoder fields sit at the top level of the
// JSON form: {"dim": 64, "heads": 4, …}. The registered defaults are Dim 64, Heads 4, Blocks 2, FF 4·Dim,
// MaxLen 128, Dropout 0.1, post-norm, mean pooling.
type TransformerConfig struct {
	TransformerEncoderConfig
	// SequenceOnly drops the static vector from the head's input, so the model sees the events alone.
	SequenceOnly bool `json:"sequence_only"`
	// Static configures the static vector appended to the pooled encoding.
	Static StaticConfig `json:"static"`
	// Head configures the classifier on top.
	Head HeadConfig `json:"head"`
}

// Transformer is a Transformer encoder over the events of a session in the manner of the Behavior
// Sequence Transformer (Chen et al., 2019, BST): each event is the sum of its embeddings and a learned
// position, self-attention relates every event to every other, and the pooled result is joined with
// the static features:
//
//	x_t = E_item[item_t] + E_type[type_t] + E_cat[cat_t] + W_v·[dwell_t, price_t, r_t] + P[t]   (B, T, D)
//	u^0 = Drop(x);  u^k = Block_k(u^{k−1}, mask),  k = 1…Blocks                             (B, T, D)
//	q = Pool(LN(u^K))   (LN only with PreNorm)                                              (B, D)
//	z = Head([q; s]),  P(purchase) = σ(z)                                                   (B)
//
// Each block is layers.TransformerBlock (Vaswani et al., 2017): multi-head self-attention and a
// feed-forward network, each with a residual connection and layer norm. Padded events get no attention
// weight and no pooling weight, and real events keep their positions under right padding, so a session
// gives the same prediction however much it is padded. The item embedding is there with Items (and
// when the data has items); s (B, S) is the static vector, left out with SequenceOnly. Outputs.Internals holds the
// attention weights of block i as "attention.block<i>" (B·Heads, T, T), laid out as
// layers.MultiHeadAttention documents, and with attention pooling the pooling weights as
// "attention.pool" (B, T). Parameters: transformer.embed.{type,item,category}.e, transformer.values.w,
// transformer.position.p, transformer.block<i>.*, transformer.norm.* (PreNorm), transformer.pool.*
// (attention pooling), transformer.static.*, transformer.head.*.
type Transformer struct {
	store  *graph.Store
	enc    *transformerEncoder
	static *Static // nil with SequenceOnly
	head   *Head
}

var _ Model = (*Transformer)(nil)

func init() {
	Register(Entry{
		Name: "transformer", Rank: 50, Needs: Needs{Sequence: true},
		Doc: "BST-style Transformer encoder over the events (learned positions, pooled) with the static features at the head",
		Config: func() any {
			return &TransformerConfig{TransformerEncoderConfig: defaultTransformerEncoder()}
		},
		New: func(store *graph.Store, s *datasets.Schema, cfg any) (Model, error) {
			c, err := configAs[TransformerConfig]("transformer", cfg)
			if err != nil {
				return nil, err
			}
			return NewTransformer(store, s, *c)
		},
	})
}

// defaultTransformerEncoder is the registered default encoder of the transformer and fusion models.
func defaultTransformerEncoder() TransformerEncoderConfig {
	return TransformerEncoderConfig{Dim: 64, Heads: 4, Blocks: 2, MaxLen: 128, Dropout: 0.1, Pool: PoolMean}
}

// NewTransformer declares the model's parameters for schema s. It returns an error naming the field
// for an invalid config (a Dim that is not a multiple of Heads, an unknown Pool…).
func NewTransformer(store *graph.Store, s *datasets.Schema, cfg TransformerConfig) (*Transformer, error) {
	m := &Transformer{store: store}
	var err error
	if m.enc, err = newTransformerEncoder(store, "transformer", s, cfg.TransformerEncoderConfig); err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	width := m.enc.Dim
	if !cfg.SequenceOnly {
		if m.static, err = NewStatic(store, "transformer.static", s, cfg.Static); err != nil {
			return nil, fmt.Errorf("transformer: %w", err)
		}
		width += m.static.Dim
	}
	if m.head, err = NewHead(store, "transformer.head", width, cfg.Head); err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	return m, nil
}

func (m *Transformer) Name() string        { return "transformer" }
func (m *Transformer) Store() *graph.Store { return m.store }
func (m *Transformer) Needs() Needs        { return Needs{Sequence: true, Static: m.static != nil} }

// Forward adds z = Head([Pool(Blocks(x)); s]) and P(purchase) = σ(z), with the attention weights in
// Internals.
func (m *Transformer) Forward(b *graph.Builder, in *Inputs) (*Outputs, error) {
	internals := map[string]*gorgonia.Node{}
	q, err := m.enc.Forward(b, in, internals) // (B, D)
	if err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	x, err := withStatic(b, in, m.static, q) // (B, D + S)
	if err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	z, err := m.head.Forward(b, x) // (B)
	if err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	out, err := singleTask(z)
	if err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	out.Internals = internals
	return out, nil
}

// transformerEncoder is the sequence encoder of the Transformer model (its doc gives the equations):
// summed event embeddings and positions, Blocks encoder blocks, a final layer norm with PreNorm, and
// masked pooling, (B, T) events → (B, D).
type transformerEncoder struct {
	Name               string
	Dim                int
	cfg                TransformerEncoderConfig
	types, items, cats *layers.Embedding // (V, D) each; items nil without items
	values             *layers.Dense     // W_v: [dwell, price] → D, no bias (padding stays 0)
	pos                *layers.LearnedPositional
	drop               *layers.Dropout
	blocks             []*layers.TransformerBlock
	norm               *layers.LayerNorm     // PreNorm only
	attnPool           *layers.AttentionPool // Pool "attention" only
}

// newTransformerEncoder fills in the defaults, checks cfg and declares the encoder's parameters under name.
func newTransformerEncoder(store *graph.Store, name string, s *datasets.Schema, cfg TransformerEncoderConfig) (*transformerEncoder, error) {
	def := defaultTransformerEncoder()
	for _, f := range []struct {
		field    string
		val, def *int
	}{{"dim", &cfg.Dim, &def.Dim}, {"heads", &cfg.Heads, &def.Heads}, {"blocks", &cfg.Blocks, &def.Blocks}, {"max_len", &cfg.MaxLen, &def.MaxLen}} {
		if *f.val < 0 {
			return nil, fmt.Errorf("%s %d must be positive (0 for the default %d)", f.field, *f.val, *f.def)
		}
		if *f.val == 0 {
			*f.val = *f.def
		}
	}
	if cfg.FF < 0 {
		return nil, fmt.Errorf("ff %d must be positive (0 for 4·dim)", cfg.FF)
	}
	if cfg.FF == 0 {
		cfg.FF = 4 * cfg.Dim
	}
	if cfg.Dim%cfg.Heads != 0 {
		return nil, fmt.Errorf("dim %d is not a multiple of heads %d", cfg.Dim, cfg.Heads)
	}
	if cfg.Dropout < 0 || cfg.Dropout >= 1 {
		return nil, fmt.Errorf("dropout %g, want a rate in [0, 1)", cfg.Dropout)
	}
	switch cfg.Pool {
	case "":
		cfg.Pool = PoolMean
	case PoolMean, PoolAttention, PoolLast:
	default:
		return nil, fmt.Errorf("pool %q, want %q, %q or %q", cfg.Pool, PoolMean, PoolAttention, PoolLast)
	}
	e := &transformerEncoder{Name: name, Dim: cfg.Dim, cfg: cfg}
	emb := func(part string, vocab int) (*layers.Embedding, error) {
		return layers.NewEmbedding(store, graph.Join(name, "embed", part), layers.EmbeddingConfig{
			Vocab: vocab, Dim: cfg.Dim, PaddingID: datasets.PadID, Std: 0.1,
		})
	}
	var err error
	if e.types, err = emb("type", s.NumEventTypes()); err != nil {
		return nil, err
	}
	if s.NumItems > 0 && cfg.Items {
		if e.items, err = emb("item", s.NumItems); err != nil {
			return nil, err
		}
	}
	if s.NumCategories > 0 {
		if e.cats, err = emb("category", s.NumCategories); err != nil {
			return nil, err
		}
	}
	if e.values, err = layers.NewDense(store, graph.Join(name, "values"), layers.DenseConfig{Input: 4, Output: cfg.Dim, NoBias: true}); err != nil {
		return nil, err
	}
	if e.pos, err = layers.NewLearnedPositional(store, graph.Join(name, "position"), layers.PositionalConfig{MaxLen: cfg.MaxLen, Dim: cfg.Dim}); err != nil {
		return nil, err
	}
	if e.drop, err = layers.NewDropout(graph.Join(name, "dropout"), cfg.Dropout); err != nil {
		return nil, err
	}
	for i := range cfg.Blocks {
		blk, err := layers.NewTransformerBlock(store, graph.Join(name, fmt.Sprintf("block%d", i)), layers.TransformerConfig{
			Dim: cfg.Dim, Heads: cfg.Heads, FF: cfg.FF, Dropout: cfg.Dropout, PreNorm: cfg.PreNorm,
		})
		if err != nil {
			return nil, err
		}
		e.blocks = append(e.blocks, blk)
	}
	if cfg.PreNorm {
		if e.norm, err = layers.NewLayerNorm(store, graph.Join(name, "norm"), layers.LayerNormConfig{Size: cfg.Dim}); err != nil {
			return nil, err
		}
	}
	if cfg.Pool == PoolAttention {
		if e.attnPool, err = layers.NewAttentionPool(store, graph.Join(name, "pool"), layers.AttentionPoolConfig{Dim: cfg.Dim}); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Forward returns the pooled encoding q (B, D) of the sequences of in, and records the attention
// weights in internals ("attention.block<i>", and "attention.pool" with attention pooling).
func (e *transformerEncoder) Forward(b *graph.Builder, in *Inputs, internals map[string]*gorgonia.Node) (*gorgonia.Node, error) {
	if in.Types == nil {
		return nil, fmt.Errorf("the graph has no sequence inputs")
	}
	B, T := in.Batch, in.MaxLen
	if T > e.cfg.MaxLen {
		return nil, fmt.Errorf("batches of %d events exceed max_len %d, the positions the model has learned", T, e.cfg.MaxLen)
	}
	var cols [2]*gorgonia.Node
	for i, v := range []*gorgonia.Node{in.Dwell, in.Price} {
		var err error
		if cols[i], err = graph.Reshape(v, B, T, 1); err != nil { // (B, T, 1)
			return nil, err
		}
	}
	vals, err := gorgonia.Concat(2, cols[0], cols[1], in.Repeats) // (B, T, 4)
	if err != nil {
		return nil, err
	}
	x, err := e.values.Forward(b, vals) // (B, T, D): W_v·[dwell_t, price_t, r_t], 0 at padding
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		emb *layers.Embedding
		ids *gorgonia.Node
	}{{e.types, in.Types}, {e.items, in.Items}, {e.cats, in.Categories}} {
		if p.emb == nil || p.ids == nil {
			continue
		}
		v, err := p.emb.Forward(b, p.ids) // (B, T, D): 0 at padding
		if err != nil {
			return nil, err
		}
		if x, err = gorgonia.Add(x, v); err != nil { // (B, T, D)
			return nil, err
		}
	}
	if x, err = e.pos.Forward(b, x); err != nil { // (B, T, D): + P[t]
		return nil, err
	}
	if x, err = e.drop.Forward(b, x); err != nil { // (B, T, D)
		return nil, err
	}
	for i, blk := range e.blocks {
		var w *gorgonia.Node
		if x, w, err = blk.ForwardWeights(b, x, in.Mask); err != nil { // (B, T, D), weights (B·Heads, T, T)
			return nil, err
		}
		internals[fmt.Sprintf("attention.block%d", i)] = w
	}
	if e.norm != nil {
		if x, err = e.norm.Forward(b, x); err != nil { // (B, T, D)
			return nil, err
		}
	}
	switch e.cfg.Pool {
	case PoolAttention:
		q, w, err := e.attnPool.Forward(b, x, in.Mask) // (B, D), weights (B, T)
		if err != nil {
			return nil, err
		}
		internals["attention.pool"] = w
		return q, nil
	case PoolLast:
		return layers.LastPool(b, x, in.Mask) // (B, D)
	default:
		return layers.MeanPool(b, x, in.Mask) // (B, D)
	}
}
