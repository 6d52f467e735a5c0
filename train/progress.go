package train

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports training as it goes: a bar redrawn in place on a terminal, plain lines otherwise
// (one per epoch, and during a long epoch one per tenth of its batches, at most every 5 seconds), nothing when the writer is nil.
type progress struct {
	w      io.Writer
	isBar  bool
	model  string
	bar    *progressbar.ProgressBar
	total  int
	next   int // batch at which the next plain line is due
	start  time.Time
	last   time.Time // of the last plain line
	epoch  int
	epochs int
}

func newProgress(w io.Writer, bar bool, model string) *progress {
	return &progress{w: w, isBar: bar, model: model}
}

func (p *progress) startEpoch(epoch, epochs, batches, done int) {
	if p.w == nil {
		return
	}
	p.epoch, p.epochs, p.total, p.start, p.last = epoch, epochs, batches, time.Now(), time.Now()
	p.next = done + max(batches/10, 1)
	if p.isBar {
		p.bar = progressbar.NewOptions(batches,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%s epoch %d/%d", p.model, epoch, epochs)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		if done > 0 {
			p.bar.Set(done)
		}
	}
}

func (p *progress) batch(done int, loss float64) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("%s epoch %d/%d loss %.4f", p.model, p.epoch, p.epochs, loss))
		p.bar.Set(done)
		return
	}
	if done >= p.next && done < p.total && time.Since(p.last) >= 5*time.Second {
		p.next, p.last = done+max(p.total/10, 1), time.Now()
		eta := time.Duration(float64(time.Since(p.start)) / float64(done) * float64(p.total-done))
		fmt.Fprintf(p.w, "%s epoch %d/%d: batch %d/%d, loss %.4f, epoch ETA %s\n",
			p.model, p.epoch, p.epochs, done, p.total, loss, eta.Round(time.Second))
	}
}

func (p *progress) endEpoch(em EpochMetrics, tasks []string) {
	if p.w == nil {
		return
	}
	p.done()
	var b strings.Builder
	fmt.Fprintf(&b, "%s epoch %d/%d: train loss %.4f", p.model, em.Epoch, p.epochs, em.TrainLoss)
	if em.ValROCAUC != nil {
		fmt.Fprintf(&b, ", val loss %.4f, val ROC-AUC %.4f, PR-AUC %.4f", em.ValLoss, em.ValROCAUC[0], em.ValPRAUC)
		for k, t := range tasks[1:] {
			fmt.Fprintf(&b, ", %s ROC-AUC %.4f", t, em.ValROCAUC[k+1])
		}
	}
	fmt.Fprintf(&b, " (%.1fs)", em.Seconds)
	fmt.Fprintln(p.w, b.String())
}

func (p *progress) note(s string) {
	if p.w != nil {
		p.done()
		fmt.Fprintln(p.w, s)
	}
}

// done clears a bar in progress.
func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
