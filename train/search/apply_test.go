package search

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/models"
	"github.com/intentlab/intentlab/train"
)

func mustParse(t *testing.T, text string) *Space {
	t.Helper()
	s, err := ParseSpace([]byte(text), "json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestApplyRoundTrip(t *testing.T) {
	s := mustParse(t, `{
	  "train.lr": {"log_uniform": [1e-4, 1e-2]},
	  "train.batch_size": {"int": [64, 512], "step": 64},
	  "train.optimizer.name": {"choice": ["adam", "adamw"]},
	  "train.optimizer.weight_decay": {"log_uniform": [1e-6, 1e-2]},
	  "train.task_weights.cart": {"uniform": [0, 1]},
	  "model.hiddens": {"choice": [[64, 32], [256, 128]]},
	  "model.dropout": {"uniform": [0, 0.5]},
	  "model.head.dropout": {"uniform": [0, 0.5]},
	  "model.events.category_dim": {"int": [4, 16]}
	}`)
	exp := train.DefaultExperiment("lstm")
	exp.Train.Seed = 1<<64 - 1 // survives the trip through JSON exactly
	exp.Model.Config = json.RawMessage(`{"sequence_only": true, "head": {"hidden": 32}}`)
	before, _ := json.Marshal(exp)
	v := Values{
		"train.lr": 0.005, "train.batch_size": 128.0, "train.optimizer.name": "adamw",
		"train.optimizer.weight_decay": 1e-4, "train.task_weights.cart": 0.5,
		"model.hiddens": []any{256.0, 128.0}, "model.dropout": 0.25, "model.head.dropout": 0.3,
		"model.events.category_dim": 12.0,
	}
	got, err := s.Apply(exp, v)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(exp); string(after) != string(before) {
		t.Errorf("Apply changed its argument:\n%s\nwas\n%s", after, before)
	}
	tc := got.Train
	if tc.LR != 0.005 || tc.BatchSize != 128 || tc.Optimizer.Name != "adamw" || tc.Optimizer.WeightDecay != 1e-4 ||
		tc.TaskWeights["cart"] != 0.5 || tc.Seed != 1<<64-1 {
		t.Errorf("train config %+v: want the applied values and the seed kept", tc)
	}
	if !reflect.DeepEqual(got.Data, exp.Data) || got.Model.Name != "lstm" || got.Dtype != exp.Dtype {
		t.Errorf("Apply changed the data, the model name or the dtype: %+v", got)
	}
	cfg, err := models.DecodeConfig("lstm", got.Model.Config)
	if err != nil {
		t.Fatal(err)
	}
	lc := cfg.(*models.LSTMConfig)
	want := models.RecurrentEncoderConfig{Events: models.EventConfig{CategoryDim: 12}, Hiddens: []int{256, 128}, Dropout: 0.25}
	if !reflect.DeepEqual(lc.RecurrentEncoderConfig, want) || lc.Head != (models.HeadConfig{Hidden: 32, Dropout: 0.3}) || !lc.SequenceOnly {
		t.Errorf("model config %+v: want the applied values next to the config's own (sequence_only, head.hidden 32)", lc)
	}
}

func TestApplyErrors(t *testing.T) {
	exp := train.DefaultExperiment("lstm")
	for _, tc := range []struct {
		space string
		v     Values
		want  string
	}{
		{`{"model.hiden": {"uniform": [0, 1]}}`, Values{"model.hiden": 0.5},
			`space: parameter "model.hiden": the lstm config has no field "hiden" (it has: dropout, events, head, hiddens, sequence_only, static, static_each_step)`},
		{`{"model.head.dropot": {"uniform": [0, 1]}}`, Values{"model.head.dropot": 0.5},
			`the lstm config's head has no field "dropot" (it has: dropout, hidden)`},
		{`{"train.lrate": {"uniform": [0, 1]}}`, Values{"train.lrate": 0.5}, `the train config has no field "lrate" (it has: `},
		{`{"model.hiddens.first": {"uniform": [0, 1]}}`, Values{"model.hiddens.first": 0.5}, `the lstm config's hiddens is a list, not an object`},
		{`{"model.hiddens": {"uniform": [0, 1]}}`, Values{"model.hiddens": 0.5}, `parameter "model.hiddens": value 0.5 does not fit the lstm config's hiddens (a list)`},
		{`{"model.events.type_dim": {"uniform": [0, 1]}}`, Values{"model.events.type_dim": 0.5}, `value 0.5 does not fit the lstm config's events's type_dim (an integer)`},
		{`{"train.optimizer": {"choice": [{"name": "adam", "betas": 1}]}}`, Values{"train.optimizer": map[string]any{"name": "adam", "betas": 1.0}}, `unknown field "betas"`},
		{`{"train.lr": {"uniform": [0, 1]}}`, Values{}, `no value for parameter "train.lr"`},
		{`{"train.lr": {"uniform": [0, 1]}}`, Values{"train.lr": 0.1, "model.dropout": 0.1}, `value for "model.dropout", which is not a parameter`},
		{`{"train.optimizer.name": {"choice": ["adam", "adamx"]}}`, Values{"train.optimizer.name": "adamx"}, `unknown name "adamx"`},
	} {
		s := mustParse(t, tc.space)
		if _, err := s.Apply(exp, tc.v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with %v:\ngot  %v\nwant an error containing %s", tc.space, tc.v, err, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	exp := train.DefaultExperiment("lstm")
	good := mustParse(t, `{"model.hiddens": {"choice": [[64], [128, 64]]}, "train.lr": {"log_uniform": [1e-4, 1e-2]}}`)
	if err := good.Check(exp); err != nil {
		t.Errorf("Check of a good space: %v", err)
	}
	for space, want := range map[string]string{
		// an unknown path is caught before any value matters
		`{"train.lr": {"log_uniform": [1e-4, 1e-2]}, "model.hiden": {"choice": [[64]]}}`: `the lstm config has no field "hiden"`,
		// the bad option is the second: Check tries every option
		`{"train.optimizer.name": {"choice": ["adam", "adamx"]}}`: `space: with train.optimizer.name = "adamx": train config: optimizer: unknown name "adamx"`,
		// the high end is out of the training config's range: Check tries both ends
		`{"train.lr": {"uniform": [0.1, 20]}}`: `space: with train.lr = 20: train config: learning rate = 20`,
		// a wrong type inside a list of choices
		`{"model.hiddens": {"choice": [[64], "wide"]}}`: `value "wide" does not fit the lstm config's hiddens (a list)`,
		// momentum is an SGD setting; Adam refuses it once it is not zero
		`{"train.optimizer.momentum": {"uniform": [0, 0.9]}}`: `momentum and nesterov are SGD settings`,
	} {
		if err := mustParse(t, space).Check(exp); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%s):\ngot  %v\nwant an error containing %s", space, err, want)
		}
	}
	bad := &Space{Params: []Param{{Name: "data.spec", Kind: Choice, Choices: []any{"synth:100"}}}}
	if err := bad.Check(exp); err == nil || !strings.Contains(err.Error(), "data settings are not searchable") {
		t.Errorf("Check of a data setting: %v", err)
	}
}
