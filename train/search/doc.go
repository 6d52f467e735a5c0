// Package search tunes an experiment's hyperparameters: typed spaces over any field of a model's
// config and of the training config (space.go), samplers that propose the next trial (grid, random
// and the tree-structured Parzen estimator), pruners that stop bad trials early from their per-epoch
// validation scores (median and asynchronous successive halving), and a study kept in an embedded
// SQLite file, written as trials happen, so that a killed search resumes without losing a finished
// trial.
//
// Reproducibility: a trial's parameters and training seed depend only on the study's seed and on the
// trials that finished before it was proposed. With one worker that order is fixed, so the same
// command gives the same study; with several workers, which trial finishes first depends on the
// machine, so random and grid studies still propose the same trials but TPE's proposals (and ASHA's
// decisions) may differ from run to run.
//
// The ideas follow Optuna (Akiba et al., 2019), Hyperopt's TPE (Bergstra et al., 2011) and ASHA
// (Li et al., 2020); the code is intentlab's own.
package search
