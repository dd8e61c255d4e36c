/* sql.h — frames to and from SQLite databases.
 *
 * Reading runs one query on a database opened read-only and turns its result
 * into a frame; writing stores a frame as a table in one transaction. Types map
 * both ways: INTEGER <-> integer, REAL <-> number, TEXT <-> string, BOOLEAN
 * (stored 0/1) <-> boolean, NULL <-> NA. SQLite's columns are loosely typed, so
 * a result column's type is decided from its declared type and every value it
 * holds, and widened to the type that holds them all (a text value in an
 * INTEGER column makes a string column, never a silent 0). */
#ifndef LAB_SQL_H
#define LAB_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* What sql_write does when the table already exists. */
typedef enum sql_mode {
    SQL_MODE_FAIL,    /* fail, leaving the table alone */
    SQL_MODE_REPLACE, /* drop it and write the frame in its place */
    SQL_MODE_APPEND   /* add the rows; the columns must match by name */
} sql_mode;

typedef enum sql_value_type {
    SQL_VALUE_NULL,
    SQL_VALUE_INTEGER,
    SQL_VALUE_NUMBER,
    SQL_VALUE_BOOLEAN, /* bound as 0 or 1 */
    SQL_VALUE_STRING
} sql_value_type;

/* One value bound to a query parameter. Either index (1-based, as in ?1 or the
 * n-th plain ?) is positive, or name is set: "id" binds :id, @id or $id, and a
 * name that starts with one of those characters is looked up as written. The
 * strings are borrowed for the duration of the call. */
typedef struct sql_param {
    int index;
    const char *name;
    sql_value_type type;
    int64_t i;      /* SQL_VALUE_INTEGER, SQL_VALUE_BOOLEAN */
    double d;       /* SQL_VALUE_NUMBER */
    const char *s;  /* SQL_VALUE_STRING: s[0..len) */
    size_t len;
} sql_param;

/* Run query on the database at db_path (opened read-only; a missing file is an
 * error, never a new database) and return its rows as a new frame the caller
 * owns. Exactly one statement that returns columns; a column name that repeats
 * gets a suffix (id, id_2, id_3). On failure returns NULL with e filled:
 * "db_path: no such file", or "db_path: <sqlite's message> in query \"...\" at
 * line L, column C (offset N)" for bad SQL, or the column at fault (a BLOB
 * value has no frame type). */
frame *sql_read(const char *db_path, const char *query, lab_err *e);

/* sql_read with parameters params[0..nparams) bound first. Every parameter
 * of the query must get a value; a value for a parameter the query does not
 * have is an error that names it. */
frame *sql_read_params(const char *db_path, const char *query, const sql_param *params,
                       size_t nparams, lab_err *e);

/* Store f as table `table` of the database at db_path (created when missing).
 * The new table's columns are INTEGER, REAL, TEXT or BOOLEAN; NA is NULL. All
 * rows go in one transaction through one prepared statement, so a failure
 * leaves the database as it was. With SQL_MODE_APPEND a missing table is
 * created; an existing one must have the frame's column names (in any order)
 * with compatible declared types. Names are quoted, so any text works.
 * Returns 0, or -1 with e naming the path, the table and, where it applies,
 * the column or row. */
int sql_write(const frame *f, const char *db_path, const char *table, sql_mode mode, lab_err *e);

/* The mode named "fail", "replace" or "append"; -1 when unknown. */
int sql_mode_parse(const char *name, sql_mode *out);

#endif
