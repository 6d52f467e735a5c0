package train

import (
	"math"
	"strings"
	"testing"
)

// TestScheduleMatchesTorch compares LR at every step with torch.optim.lr_scheduler (PyTorch 1.13, from
// testdata/torch_optim.json): StepLR stepped per epoch, CosineAnnealingLR per step, LinearLR warm-up alone
// and followed by cosine (SequentialLR). Torch computes the cosine recursively, so the two agree to
// rounding: 1e-12 of the base rate.
func TestScheduleMatchesTorch(t *testing.T) {
	f := loadTorchFixture(t)
	if len(f.Schedules) == 0 {
		t.Fatal("fixture has no schedule cases")
	}
	for _, c := range f.Schedules {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Config.Validate(); err != nil {
				t.Fatal(err)
			}
			if len(c.LRs) != c.TotalSteps {
				t.Fatalf("fixture has %d rates for %d steps", len(c.LRs), c.TotalSteps)
			}
			for s, want := range c.LRs {
				got := c.Config.LR(c.Base, s, c.StepsPerEpoch, c.TotalSteps)
				if math.Abs(got-want) > 1e-12*c.Base {
					t.Errorf("step %d: lr %.17g, torch %.17g", s, got, want)
				}
			}
		})
	}
}

// TestScheduleClosedForms checks LR at chosen points against the formulas worked by hand.
func TestScheduleClosedForms(t *testing.T) {
	cases := []struct {
		name                  string
		cfg                   ScheduleConfig
		step, perEpoch, total int
		want                  float64
	}{
		{"constant", ScheduleConfig{}, 57, 10, 100, 0.1},
		// step: epoch ⌊25/4⌋ = 6, ⌊6/10⌋ = 0 decays with the default StepEpochs 10.
		{"step before the first decay", ScheduleConfig{Name: "step"}, 25, 4, 400, 0.1},
		// epoch ⌊95/4⌋ = 23 → 2 decays of the default γ 0.1.
		{"step after two decays", ScheduleConfig{Name: "step"}, 95, 4, 400, 0.1 * 0.1 * 0.1},
		{"step every 3 epochs by 0.5", ScheduleConfig{Name: "step", StepEpochs: 3, Gamma: 0.5}, 30, 5, 100, 0.1 * 0.25},
		{"cosine start", ScheduleConfig{Name: "cosine"}, 0, 10, 100, 0.1},
		{"cosine middle", ScheduleConfig{Name: "cosine", MinLR: 0.02}, 50, 10, 100, 0.02 + 0.08*0.5},
		// t/T = 1/4: (1 + cos(π/4))/2 = (1 + √2/2)/2.
		{"cosine quarter", ScheduleConfig{Name: "cosine"}, 25, 10, 100, 0.1 * (1 + math.Sqrt2/2) / 2},
		{"cosine end", ScheduleConfig{Name: "cosine", MinLR: 0.001}, 100, 10, 100, 0.001},
		{"cosine past the end", ScheduleConfig{Name: "cosine", MinLR: 0.001}, 130, 10, 100, 0.001},
		{"warm-up first step", ScheduleConfig{WarmupSteps: 5}, 0, 10, 100, 0.1 / 5},
		{"warm-up third step", ScheduleConfig{WarmupSteps: 5}, 2, 10, 100, 0.1 * 3 / 5},
		{"warm-up done", ScheduleConfig{WarmupSteps: 5}, 5, 10, 100, 0.1},
		// Cosine after 10 warm-up steps: t = 55 − 10 = 45 of T = 100 − 10 = 90 is the middle.
		{"cosine after warm-up", ScheduleConfig{Name: "cosine", WarmupSteps: 10}, 55, 10, 100, 0.05},
		{"cosine during warm-up", ScheduleConfig{Name: "cosine", WarmupSteps: 10}, 4, 10, 100, 0.1 * 5 / 10},
		// Warm-up over a step schedule multiplies the (not yet decayed) rate.
		{"step with warm-up", ScheduleConfig{Name: "step", StepEpochs: 1, Gamma: 0.5, WarmupSteps: 8}, 5, 3, 100, 0.1 * 0.5 * 6 / 8},
	}
	for _, c := range cases {
		if err := c.cfg.Validate(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		got := c.cfg.LR(0.1, c.step, c.perEpoch, c.total)
		if math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: LR = %.17g, want %.17g", c.name, got, c.want)
		}
	}
}

// TestScheduleValidate checks defaults and rejections.
func TestScheduleValidate(t *testing.T) {
	if d := (ScheduleConfig{Name: "step"}).WithDefaults(); d.StepEpochs != 10 || d.Gamma != 0.1 {
		t.Errorf("step defaults = %+v, want every 10 epochs by 0.1", d)
	}
	if d := (ScheduleConfig{}).WithDefaults(); d.Name != "constant" || d.StepEpochs != 0 {
		t.Errorf("defaults = %+v, want a constant schedule", d)
	}
	bad := []struct {
		cfg  ScheduleConfig
		want string
	}{
		{ScheduleConfig{Name: "linear"}, `unknown name "linear"`},
		{ScheduleConfig{WarmupSteps: -1}, "warmup_steps = -1"},
		{ScheduleConfig{Name: "step", StepEpochs: -2}, "step_epochs = -2"},
		{ScheduleConfig{Name: "step", Gamma: 1.5}, "gamma = 1.5"},
		{ScheduleConfig{Name: "step", Gamma: -0.5}, "gamma = -0.5"},
		{ScheduleConfig{Name: "cosine", MinLR: math.Inf(1)}, "min_lr = +Inf"},
		{ScheduleConfig{Name: "cosine", Gamma: 0.5}, "belong to the step schedule"},
		{ScheduleConfig{MinLR: 0.1}, "belongs to the cosine schedule"},
	}
	for _, b := range bad {
		if err := b.cfg.Validate(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%+v: got %v, want an error containing %q", b.cfg, err, b.want)
		}
	}
}
