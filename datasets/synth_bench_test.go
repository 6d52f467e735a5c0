package datasets

import "testing"

// BenchmarkSyntheticStream measures generation speed, oracle included, at the default
// configuration: go test -run '^$' -bench SyntheticStream ./datasets
func BenchmarkSyntheticStream(b *testing.B) {
	g, err := NewSyntheticStream(SyntheticConfig{Sessions: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	b.ReportAllocs()
	for b.Loop() {
		s, _ := g.Next()
		events += len(s.Events)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/session")
}
