/* kinds.h — the model kinds lab knows (private to engine/learn).
 *
 * A new kind is one file defining a `const model_kind model_kind_<name>`, a
 * line here, and a line in the table of model.c. */
#ifndef LAB_KINDS_H
#define LAB_KINDS_H

#include "model.h"

extern const model_kind model_kind_linear;   /* linear.c */
extern const model_kind model_kind_logistic; /* logistic.c */

#endif
