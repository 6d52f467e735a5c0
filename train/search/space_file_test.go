package search_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/intentlab/intentlab/train/search"
)

const spaceJSON = `{
  "train.lr": {"log_uniform": [1e-4, 1e-2]},
  "model.hiddens": {"choice": [[64, 32], [128, 64], [256, 128]]},
  "model.dropout": {"uniform": [0, 0.5]},
  "train.batch_size": {"int": [64, 512], "step": 64},
  "model.events.type_dim": {"int": [4, 32], "log": true},
  "model.head.dropout": {"uniform": [0, 0.5], "step": 0.1}
}
`

const spaceYAML = `# the same space as spaceJSON
train.lr: {log_uniform: [1e-4, 0.01]}
model.hiddens:
  choice: [[64, 32], [128, 64], [256, 128]]
model.dropout: {uniform: [0, 0.5]}
train.batch_size: {int: [64, 512], step: 64}
model.events.type_dim: {int: [4, 32], log: true}
model.head.dropout: {uniform: [0, 0.5], step: 0.1}
`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSpaceJSONAndYAML(t *testing.T) {
	fromJSON, err := search.LoadSpace(writeFile(t, "space.json", spaceJSON))
	if err != nil {
		t.Fatal(err)
	}
	want := &search.Space{Params: []search.Param{
		{Name: "train.lr", Kind: search.LogUniform, Low: 1e-4, High: 1e-2},
		{Name: "model.hiddens", Kind: search.Choice, Choices: []any{[]any{64.0, 32.0}, []any{128.0, 64.0}, []any{256.0, 128.0}}},
		{Name: "model.dropout", Kind: search.Uniform, Low: 0, High: 0.5},
		{Name: "train.batch_size", Kind: search.Int, Low: 64, High: 512, Step: 64},
		{Name: "model.events.type_dim", Kind: search.Int, Low: 4, High: 32, Log: true},
		{Name: "model.head.dropout", Kind: search.Uniform, Low: 0, High: 0.5, Step: 0.1},
	}}
	if !reflect.DeepEqual(fromJSON, want) {
		t.Errorf("JSON file read as\n%#v\nwant (in the file's order)\n%#v", fromJSON, want)
	}
	for _, ext := range []string{".yaml", ".yml"} {
		fromYAML, err := search.LoadSpace(writeFile(t, "space"+ext, spaceYAML))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromYAML, fromJSON) {
			t.Errorf("%s file read as\n%#v\nwant the JSON file's\n%#v", ext, fromYAML, fromJSON)
		}
	}
	// String writes the file format back: reading it gives the same space.
	again, err := search.ParseSpace([]byte(fromJSON.String()), "json")
	if err != nil || !reflect.DeepEqual(again, fromJSON) {
		t.Errorf("ParseSpace(String()) = %v, %v; want the space back", again, err)
	}
}

func TestLoadSpaceErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"syntax.json", "{\n  \"train.lr\": {\"uniform\": [0, 1]},\n  \"model.dropout\": {\"uniform\": [0, 0.5]]\n}\n",
			[]string{"syntax.json", "line 3", "invalid character ']'"}},
		{"truncated.json", "{\n  \"train.lr\": {\"uniform\": [0, 1]},\n", []string{"truncated.json", "line 3", "unexpected end"}},
		{"typo.json", "{\n  \"train.lr\":\n    {\"logunifrom\": [1e-4, 1e-2]}\n}",
			[]string{"typo.json", "line 2", `parameter "train.lr"`, `unknown key "logunifrom" (known: uniform, log_uniform, int, choice, step, log)`}},
		{"empty.json", `{"model.dropout": {"uniform": [0.5, 0]}}`, []string{"empty.json", "line 1", `"model.dropout"`, "empty range [0.5, 0]"}},
		{"log0.yaml", "train.lr: {uniform: [0, 1]}\ntrain.optimizer.weight_decay: {log_uniform: [0, 0.1]}\n",
			[]string{"log0.yaml", "line 2", `"train.optimizer.weight_decay"`, "touches or crosses 0"}},
		{"twokinds.json", `{"model.dropout": {"uniform": [0, 0.5], "choice": [0.1]}}`, []string{"want exactly one kind"}},
		{"nokind.json", `{"model.dropout": {"step": 0.1}}`, []string{"no kind"}},
		{"range.json", `{"model.dropout": {"uniform": [0, 0.5, 1]}}`, []string{"uniform: want [low, high]"}},
		{"dup.json", `{"model.dropout": {"uniform": [0, 0.5]}, "model.dropout": {"uniform": [0, 0.3]}}`, []string{`"model.dropout": appears twice`}},
		{"none.json", `{}`, []string{"no parameters"}},
		{"list.json", `[1, 2]`, []string{"want an object of parameters"}},
		{"space.toml", `x = 1`, []string{"space.toml", `unknown file type ".toml"`}},
	} {
		_, err := search.LoadSpace(writeFile(t, tc.name, tc.text))
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %v, want an error containing %q", tc.name, err, w)
			}
		}
	}
}

// A space file's parameters keep the file's order.
func ExampleParseSpace() {
	s, err := search.ParseSpace([]byte(`{
	  "train.lr": {"log_uniform": [1e-4, 1e-2]},
	  "model.hiddens": {"choice": [[64, 32], [128, 64]]},
	  "train.batch_size": {"int": [64, 512], "step": 64}
	}`), "json")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range s.Params {
		fmt.Printf("%s: %s %v %v %v\n", p.Name, p.Kind, p.Low, p.High, p.Choices)
	}
	fmt.Print(s)
	// Output:
	// train.lr: log_uniform 0.0001 0.01 []
	// model.hiddens: choice 0 0 [[64 32] [128 64]]
	// train.batch_size: int 64 512 []
	// {
	//   "train.lr": {"log_uniform": [0.0001,0.01]},
	//   "model.hiddens": {"choice": [[64,32],[128,64]]},
	//   "train.batch_size": {"int": [64,512], "step": 64}
	// }
}
