package main

// dataCommand groups the dataset subcommands.
var dataCommand = &command{
	name:    "data",
	summary: "generate, load and describe datasets",
	sub:     []*command{dataSynthCommand, dataInspectCommand},
}
