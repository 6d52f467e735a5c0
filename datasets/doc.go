// Package datasets holds intentlab's data model (Session, Event, Schema, Dataset), fixed-shape
// batches with masks, preprocessing fitted on the training split, splits, and the three sources:
// the synthetic clickstream with its exact oracle, the UCI Online Shoppers table, and shop event logs.
package datasets
