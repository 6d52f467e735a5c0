package search

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intentlab/intentlab/models"
)

// optimizerSpace is the training part of every default space but logistic regression's: the
// learning rate, the batch size, Adam with L2 or decoupled (AdamW) weight decay.
const optimizerSpace = `
  "train.batch_size": {"choice": [32, 64, 128, 256]},
  "train.optimizer.name": {"choice": ["adam", "adamw"]},
  "train.optimizer.weight_decay": {"log_uniform": [1e-6, 0.03]}`

// recurrentSpace is the model part of the lstm and gru spaces.
const recurrentSpace = `
  "model.hiddens": {"choice": [[64, 32], [128, 64], [256, 128], [128]]},
  "model.dropout": {"uniform": [0, 0.5]},
  "model.head.hidden": {"choice": [32, 64, 128]},
  "model.head.dropout": {"uniform": [0, 0.5]},`

// defaultSpaces are the default spaces in the file format, by model. Every setting they name is a
// setting of that model (a test applies them and builds the model); none changes what data a model
// needs (fusion's ESMM, which needs a cart task, and its encoder are left out).
var defaultSpaces = map[string]string{
	"logreg": `{
  "train.lr": {"log_uniform": [0.001, 0.1]},` + optimizerSpace + `
}`,
	"mlp": `{
  "train.lr": {"log_uniform": [0.0003, 0.03]},
  "model.hidden": {"choice": [[32], [64], [64, 32], [128, 64], [256, 128]]},
  "model.dropout": {"uniform": [0, 0.5]},
  "model.activation": {"choice": ["relu", "tanh", "gelu"]},` + optimizerSpace + `
}`,
	"cnn": `{
  "train.lr": {"log_uniform": [0.0003, 0.01]},
  "model.channels": {"choice": [[32, 32], [64, 64], [128, 64], [64]]},
  "model.kernel": {"int": [3, 7], "step": 2},
  "model.pool": {"choice": ["mean", "attention", "last"]},
  "model.dropout": {"uniform": [0, 0.5]},
  "model.head.dropout": {"uniform": [0, 0.5]},` + optimizerSpace + `
}`,
	"lstm": `{
  "train.lr": {"log_uniform": [0.0003, 0.01]},` + recurrentSpace + optimizerSpace + `
}`,
	"gru": `{
  "train.lr": {"log_uniform": [0.0003, 0.01]},` + recurrentSpace + optimizerSpace + `
}`,
	"transformer": `{
  "train.lr": {"log_uniform": [0.0001, 0.003]},
  "model.dim": {"choice": [32, 64, 128]},
  "model.heads": {"choice": [2, 4]},
  "model.blocks": {"int": [1, 3]},
  "model.dropout": {"uniform": [0, 0.3]},
  "model.pre_norm": {"choice": [false, true]},
  "model.pool": {"choice": ["mean", "attention", "last"]},` + optimizerSpace + `
}`,
	"fusion": `{
  "train.lr": {"log_uniform": [0.0003, 0.01]},
  "model.lstm.hiddens": {"choice": [[64, 32], [128, 64], [128]]},
  "model.lstm.dropout": {"uniform": [0, 0.5]},
  "model.hidden": {"choice": [[32], [64], [128, 64]]},
  "model.fuse": {"choice": ["concat", "gate"]},
  "model.dropout": {"uniform": [0, 0.5]},
  "model.head.dropout": {"uniform": [0, 0.5]},` + optimizerSpace + `
}`,
}

// DefaultSpace returns a new copy of the default search space of the named model: its learning
// rate (log-uniform), batch size, optimizer (Adam or AdamW) and weight decay (log-uniform), and the
// sizes and regularisation of its architecture (for lstm: the hidden sizes among [64, 32],
// [128, 64], [256, 128] and [128], dropout in [0, 0.5], the head's width and dropout). Its String
// is the text of a space file to start from.
func DefaultSpace(model string) (*Space, error) {
	if _, err := models.Lookup(model); err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	text, ok := defaultSpaces[model]
	if !ok {
		return nil, fmt.Errorf("space: model %q has no default space (models with one: %s)",
			model, strings.Join(slices.Sorted(maps.Keys(defaultSpaces)), ", "))
	}
	return ParseSpace([]byte(text), "json")
}
