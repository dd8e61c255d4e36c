/* transform.h — preprocessing transforms: standardize, minmax, onehot,
 * impute and label_encode, fitted on training data and applied unchanged to
 * new data (lab.transform.* in Lua, and the steps of a pipeline).
 *
 * A transform is a `model` whose kind has task MODEL_TRANSFORMER and is
 * listed here, not in the model kind table: transforms work on frames (string
 * columns, missing values) where models see only clean matrices, so they
 * are fitted and applied by the functions below rather than model_fit. Their
 * fitted state is plain model data, so model files store them unchanged: the
 * fitted columns are the schema (feat, with the category levels of onehot
 * and label_encode, and a string fill value of impute as the single level),
 * the statistics are tensors ("mean"/"scale", "min"/"scale", "fill"). The
 * columns asked for are the string hyper-parameter "cols" (names joined by
 * newlines; empty: the kind's default columns). */
#ifndef LAB_TRANSFORM_H
#define LAB_TRANSFORM_H

#include "model.h"

/* The transform kind called name ("standardize", "minmax", "onehot",
 * "impute", "label_encode"), or NULL. */
const model_kind *transform_kind_find(const char *name);
/* The names of the transform kinds, ", "-separated (static). */
const char *transform_kind_list(void);

/* A new unfitted transform of kind name, or NULL with e naming the unknown
 * kind. Free with model_free. */
model *transform_new(const char *name, lab_err *e);

/* Set the columns the transform applies to (n 0: the kind's default: every
 * number and integer column for standardize and minmax, every string column
 * for onehot and label_encode, every numeric column for impute's mean and
 * median and every column for its most_frequent and constant). */
void transform_set_cols(model *t, const char *const *cols, int n);

/* Fit t on f, leaving out the column called skip (a pipeline's target; may
 * be NULL) from the default columns. Fails with e naming the column: missing,
 * of a type the kind cannot take, or without a single value to learn from.
 * A refit replaces the previous state. Returns 0 or -1. */
int transform_fit(model *t, const frame *f, const char *skip, lab_err *e);

/* f with the fitted columns transformed (in place of the originals; onehot
 * puts its columns "col=level" where col was) and every other column passed
 * through. Fails with e naming a fitted column that is missing or of another
 * type, or (label_encode) a value not seen at fit. A new frame, or NULL. */
frame *transform_apply(const model *t, const frame *f, lab_err *e);

/* An unfitted copy of t's kind and hyper-parameters (of any model, through
 * model_new or transform_new); NULL only for an unknown kind. */
model *transform_clone_unfitted(const model *t);

#endif
