// Package bench compares models fairly: it trains a list of architectures over several seeds on one
// dataset, with the same split and the same training recipe, and writes a report directory:
//
//	report.md         the dataset, a table of mean ± std per metric per model, regret against the
//	                  Bayes oracle (synthetic data), training time and throughput, DeLong p-values
//	                  against the best model, and the figures
//	results.csv       one row per model × seed
//	figures/          loss curves, ROC, precision–recall, calibration, validation ROC-AUC per epoch,
//	                  the best model's confusion matrix, a Transformer's attention map (PNG)
//	config.json       the bench configuration, enough to run it again
//	environment.json  Go version, CPU, commit and BLAS of the machine that ran it
//	runs/<model>/seed<k>/  one train run directory per model and seed
//
// The report is built from the run directories alone (Report), so an interrupted bench resumes
// (finished runs are kept, the unfinished one continues from its checkpoint) and the figures can be
// drawn again from the runs.
package bench
