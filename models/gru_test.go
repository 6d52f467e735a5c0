package models

import (
	"testing"

	"gorgonia.org/tensor"
)

func tinyGRU() *GRUConfig { c := GRUConfig(tinyRecurrent()); return &c }

func TestGRUGradients(t *testing.T) {
	checkModelGrads(t, "gru", tinyGRU(), tinyData(t, 40, 6), 8, 6)
}

func TestGRULearnablesInStore(t *testing.T) {
	d := tinyData(t, 40, 6)
	cfg := tinyGRU()
	cfg.Dropout = 0.5
	bl := build(t, "gru", cfg, d, tensor.Float32, 8, 6, true)
	checkAllLearnablesInStore(t, bl.b)
	if _, ok := bl.model.Store().Get("gru.stack.l1.bh"); !ok {
		t.Errorf("the GRU model has no GRU layer parameters (gru.stack.l1.bh)")
	}
}

func TestGRULossFalls(t *testing.T) {
	seqLossFalls(t, "gru", &GRUConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{16, 8}}, Head: HeadConfig{Hidden: 16}})
}

func TestGRUPaddingExact(t *testing.T) {
	seqPaddingExact(t, "gru", tinyGRU())
}

func TestGRUConfigJSON(t *testing.T) {
	seqConfigJSON(t, "gru")
}

func TestGRUBadConfig(t *testing.T) {
	seqBadConfigs(t, "gru", map[string]any{
		"hiddens[0] = 0":   &GRUConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{0}}},
		"hiddens is empty": &GRUConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Hiddens: []int{}}},
		"dropout -0.1":     &GRUConfig{RecurrentEncoderConfig: RecurrentEncoderConfig{Dropout: -0.1}},
	})
}
