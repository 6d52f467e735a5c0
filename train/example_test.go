package train_test

import (
	"context"
	"fmt"
	"log"

	"github.com/intentlab/intentlab/datasets"
	"github.com/intentlab/intentlab/train"
)

// ExampleStart trains a small MLP on 1,000 synthetic sessions without writing a run directory, and
// reads what the run measured. (The metrics themselves depend on the floating-point path of the
// machine's BLAS, so the example prints the shape of the result.)
func ExampleStart() {
	exp := train.DefaultExperiment("mlp")
	exp.Data.Spec = "synth:1000"
	exp.Train = train.Config{Epochs: 3, BatchSize: 64, LR: 0.01, Seed: 1}
	res, _, err := train.Start(context.Background(), exp, "", false)
	if err != nil {
		log.Fatal(err)
	}
	t := res.Tasks[0]
	fmt.Println("epochs:", res.Epochs, "history rows:", len(res.History))
	fmt.Println("task:", t.Task, "test sessions scored:", len(res.Test[0]))
	fmt.Println("model below the oracle:", t.Test.ROCAUC < t.OracleTest.ROCAUC)
	// Output:
	// epochs: 3 history rows: 3
	// task: purchase test sessions scored: 200
	// model below the oracle: true
}

// ExampleRun trains a model built by the caller on splits the caller prepared.
func ExampleRun() {
	exp := train.DefaultExperiment("logreg")
	exp.Data.Spec = "synth:1000"
	p, err := train.Prepare(exp) // load, split 60/20/20, preprocess, build the model
	if err != nil {
		log.Fatal(err)
	}
	res, err := train.Run(context.Background(), p.Model, p.Data, train.Config{Epochs: 2, LR: 0.05})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Model, res.Params, "parameters,", res.Stopped)
	fmt.Println("tasks:", len(res.Tasks), res.Tasks[0].Task == datasets.TaskPurchase)
	// Output:
	// logreg 58 parameters, completed
	// tasks: 1 true
}
