package layers

import "testing"

// The LSTM tests run the bodies they share with the GRU tests (recurrent_test.go).

func TestLSTMGradients(t *testing.T)         { testRecurrentGradients(t, lstmKind) }
func TestLSTMLearnablesInStore(t *testing.T) { testRecurrentLearnables(t, lstmKind, 3) }
func TestLSTMMaskingIsExact(t *testing.T)    { testRecurrentMasking(t, lstmKind) }
func TestLSTMBadInput(t *testing.T)          { testRecurrentBadInput(t, lstmKind) }
func TestLSTMMatchesPyTorch(t *testing.T)    { testRecurrentParity(t, lstmKind) }
func TestLSTMSmallSizes(t *testing.T)        { testRecurrentSmallSizes(t, lstmKind) }
