package search

import (
	"strings"
	"testing"
)

func TestValidateErrors(t *testing.T) {
	for _, tc := range []struct {
		p    Param
		want string
	}{
		{Param{Name: "train.lr", Kind: Uniform, Low: 0.5, High: 0.5}, "empty range [0.5, 0.5]"},
		{Param{Name: "train.lr", Kind: Uniform, Low: 1, High: 0}, "empty range [1, 0]"},
		{Param{Name: "train.lr", Kind: LogUniform, Low: 0, High: 1}, "log range [0, 1] touches or crosses 0"},
		{Param{Name: "train.lr", Kind: LogUniform, Low: -1, High: 1}, "log range [-1, 1] touches or crosses 0"},
		{Param{Name: "model.blocks", Kind: Int, Low: 0, High: 4, Log: true}, "log int range [0, 4] touches or crosses 0"},
		{Param{Name: "model.blocks", Kind: Int, Low: 0.2, High: 0.8}, "int range [0.2, 0.8] holds no integer"},
		{Param{Name: "model.blocks", Kind: Int, Low: 1, High: 8, Step: -1}, "step -1, want step > 0"},
		{Param{Name: "model.blocks", Kind: Int, Low: 1, High: 8, Step: 1.5}, "step 1.5, want a whole number"},
		{Param{Name: "model.blocks", Kind: Int, Low: 1, High: 8, Step: 2, Log: true}, "a log int parameter takes step 1"},
		{Param{Name: "model.dropout", Kind: Uniform, Low: 0, High: 1, Log: true}, "log applies to int parameters only"},
		{Param{Name: "model.hiddens", Kind: Choice}, "choice has no options"},
		{Param{Name: "model.dropout", Kind: "gaussian", Low: 0, High: 1}, `unknown kind "gaussian" (want uniform, log_uniform, int or choice)`},
		{Param{Name: "data.spec", Kind: Choice, Choices: []any{"synth"}}, "data settings are not searchable"},
		{Param{Name: "lr", Kind: Uniform, Low: 0, High: 1}, `want a dotted path starting with "model."`},
		{Param{Name: "train.epochs", Kind: Int, Low: 1, High: 9}, "cannot be searched: the study's budget and pruner decide"},
		{Param{Name: "train.seed", Kind: Int, Low: 1, High: 9}, "cannot be searched"},
	} {
		err := (&Space{Params: []Param{tc.p}}).Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"`+tc.p.Name+`"`) {
			t.Errorf("%+v: got %v, want an error naming the parameter with %q", tc.p, err, tc.want)
		}
	}
}

func TestValidateReportsEveryBadParam(t *testing.T) {
	s := &Space{Params: []Param{
		{Name: "train.lr", Kind: LogUniform, Low: 0, High: 1},
		{Name: "model.dropout", Kind: Uniform, Low: 0, High: 0.5},
		{Name: "model.dropout", Kind: Uniform, Low: 0, High: 0.3},
		{Name: "model.hiddens", Kind: Choice},
	}}
	err := s.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{`"train.lr": log range`, `"model.dropout" appears twice`, `"model.hiddens": choice has no options`}
	if len(lines) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("error %d = %q, want it to contain %q", i, lines[i], w)
		}
	}
	if err := (&Space{}).Validate(); err == nil {
		t.Error("an empty space is valid")
	}
}

func TestContains(t *testing.T) {
	s := &Space{Params: []Param{
		{Name: "train.batch_size", Kind: Int, Low: 64, High: 500, Step: 64}, // 64 … 448
		{Name: "model.dropout", Kind: Uniform, Low: 0, High: 0.5, Step: 0.1},
		{Name: "model.hiddens", Kind: Choice, Choices: []any{[]int{64, 32}, []any{128.0, 64.0}}},
	}}
	ok := Values{"train.batch_size": 448.0, "model.dropout": 0.30000000000000004, "model.hiddens": []any{64.0, 32.0}}
	if err := s.Contains(ok); err != nil {
		t.Errorf("Contains(%v) = %v", ok, err)
	}
	for name, bad := range map[string]any{
		"train.batch_size": 512.0, // past High
		"model.dropout":    0.25,  // off the step
		"model.hiddens":    []any{64.0},
	} {
		v := Values{"train.batch_size": 64.0, "model.dropout": 0.0, "model.hiddens": []any{128.0, 64.0}}
		v[name] = bad
		if err := s.Contains(v); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s = %v: got %v, want an error naming it", name, bad, err)
		}
	}
	if err := s.Contains(Values{"train.batch_size": 64.0}); err == nil {
		t.Error("missing values pass")
	}
}
