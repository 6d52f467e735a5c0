package layers

import "testing"

// The GRU tests run the bodies they share with the LSTM tests (recurrent_test.go).

func TestGRUGradients(t *testing.T)         { testRecurrentGradients(t, gruKind) }
func TestGRULearnablesInStore(t *testing.T) { testRecurrentLearnables(t, gruKind, 4) }
func TestGRUMaskingIsExact(t *testing.T)    { testRecurrentMasking(t, gruKind) }
func TestGRUBadInput(t *testing.T)          { testRecurrentBadInput(t, gruKind) }
func TestGRUMatchesPyTorch(t *testing.T)    { testRecurrentParity(t, gruKind) }
func TestGRUSmallSizes(t *testing.T)        { testRecurrentSmallSizes(t, gruKind) }
