/* lua_column.c — the Column type in Lua: #c, c[i], element-wise arithmetic
 * (+ - * / // % ^ and unary -, with a column or a scalar on either side),
 * comparisons that make boolean masks (c:gt(3), c:eq("setosa")), and
 * & | ~ to combine masks. NA in, NA out; a comparison with NA gives NA, which a
 * filter treats as false.
 *
 * Integer op integer stays integer for + - * // % (as Lua's own integers do);
 * / and ^ always give numbers. */
#include "lab_lua.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/print.h"

static int c_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lab_checkcolumn(L, 1)->n);
    return 1;
}

static int c_type(lua_State *L) {
    lua_pushstring(L, col_type_name(lab_checkcolumn(L, 1)->type));
    return 1;
}

static int c_name(lua_State *L) {
    lab_checkcolumn(L, 1);
    lua_pushstring(L, lab_columnname(L, 1));
    return 1;
}

static int c_tostring(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    char *s = col_format_vector(c, lab_columnname(L, 1), 100);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

static int c_totable(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    lua_createtable(L, (int)c->n, 0);
    for (size_t i = 0; i < c->n; i++) {
        lab_pushcell(L, c, i);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int c_isna(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    column *m = col_new(COL_BOOLEAN, c->n, NULL);
    for (size_t i = 0; i < c->n; i++) m->b[i] = (uint8_t)col_is_na(c, i);
    lab_pushcolumn(L, m, NULL);
    return 1;
}

static int c_notna(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    column *m = col_new(COL_BOOLEAN, c->n, NULL);
    for (size_t i = 0; i < c->n; i++) m->b[i] = (uint8_t)!col_is_na(c, i);
    lab_pushcolumn(L, m, NULL);
    return 1;
}

/* c:map(fn) — a new column of fn(value) for every row (NA passed as nil). */
static int c_map(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_createtable(L, (int)c->n, 0);
    int t = lua_gettop(L);
    for (size_t i = 0; i < c->n; i++) {
        lua_pushvalue(L, 2);
        lab_pushcell(L, c, i);
        lua_call(L, 1, 1);
        lua_rawseti(L, t, (lua_Integer)i + 1);
    }
    lab_pushcolumn(L, lab_tocolumn(L, t, c->n), lab_columnname(L, 1));
    return 1;
}

/* c:astype("number"|"integer"|"string"|"boolean") */
static int c_astype(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    col_type t;
    if (col_type_parse(luaL_checkstring(L, 2), &t) < 0)
        return luaL_argerror(L, 2, "type must be number, integer, boolean or string");
    if (t == c->type) {
        lab_pushcolumn(L, col_ref(c), lab_columnname(L, 1));
        return 1;
    }
    column *out = col_new(t, c->n, NULL);
    char buf[64];
    for (size_t i = 0; i < c->n; i++) {
        if (col_is_na(c, i)) {
            col_set_na(out, i);
            continue;
        }
        double v = col_as_double(c, i);
        switch (t) {
        case COL_NUMBER:
            if (c->type == COL_STRING) {
                char *end;
                const char *s = col_str(c, i);
                v = strtod(s, &end);
                if (end == s || *end) {
                    col_free(out);
                    return luaL_error(L, "row %d: '%s' is not a number", (int)i + 1, s);
                }
            }
            out->f64[i] = v;
            break;
        case COL_INTEGER:
            if (c->type == COL_STRING) {
                char *end;
                const char *s = col_str(c, i);
                long long iv = strtoll(s, &end, 10);
                if (end == s || *end) {
                    col_free(out);
                    return luaL_error(L, "row %d: '%s' is not an integer", (int)i + 1, s);
                }
                out->i64[i] = iv;
            } else if (c->type == COL_NUMBER) {
                if (isnan(v)) col_set_na(out, i);
                else if (v != floor(v) || fabs(v) >= 9.2e18) {
                    col_free(out);
                    return luaL_error(L, "row %d: %f is not an integer", (int)i + 1, v);
                } else out->i64[i] = (int64_t)v;
            } else out->i64[i] = (int64_t)v;
            break;
        case COL_BOOLEAN:
            if (c->type == COL_STRING) {
                const char *s = col_str(c, i);
                if (strcmp(s, "true") == 0) out->b[i] = 1;
                else if (strcmp(s, "false") == 0) out->b[i] = 0;
                else {
                    col_free(out);
                    return luaL_error(L, "row %d: '%s' is not true or false", (int)i + 1, s);
                }
            } else out->b[i] = v != 0;
            break;
        case COL_STRING:
            col_format(c, i, buf, sizeof buf);
            out->code[i] = strdict_intern(out->dict, buf, strlen(buf));
            break;
        }
    }
    lab_pushcolumn(L, out, lab_columnname(L, 1));
    return 1;
}

/* ---- arithmetic ---------------------------------------------------------- */

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_IDIV, OP_MOD, OP_POW } arith_op;

/* One operand: a column, or a scalar number. */
typedef struct operand {
    column *c;
    int isint;
    lua_Integer i;
    double d;
} operand;

static void check_operand(lua_State *L, int idx, operand *o, const char *opname) {
    o->c = lab_testcolumn(L, idx);
    if (o->c) {
        if (o->c->type == COL_STRING)
            luaL_error(L, "cannot %s a string column (convert it with c:astype(\"number\") first)", opname);
        o->isint = o->c->type == COL_INTEGER || o->c->type == COL_BOOLEAN;
        return;
    }
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_error(L, "cannot %s a column and a %s", opname, luaL_typename(L, idx));
    o->isint = lua_isinteger(L, idx);
    o->i = o->isint ? lua_tointeger(L, idx) : 0;
    o->d = lua_tonumber(L, idx);
}

static int operand_na(const operand *o, size_t i) { return o->c && col_is_na(o->c, i); }

static double operand_d(const operand *o, size_t i) { return o->c ? col_as_double(o->c, i) : o->d; }

static int64_t operand_i(const operand *o, size_t i) {
    if (!o->c) return o->i;
    return o->c->type == COL_BOOLEAN ? o->c->b[i] : o->c->i64[i];
}

static int arith(lua_State *L, arith_op op, const char *opname) {
    operand a, b;
    check_operand(L, 1, &a, opname);
    check_operand(L, 2, &b, opname);
    size_t n = a.c ? a.c->n : b.c->n;
    if (a.c && b.c && a.c->n != b.c->n)
        return luaL_error(L, "cannot %s columns of %d and %d rows", opname, (int)a.c->n, (int)b.c->n);
    int intres = a.isint && b.isint && op != OP_DIV && op != OP_POW;
    column *out = col_new(intres ? COL_INTEGER : COL_NUMBER, n, NULL);
    for (size_t i = 0; i < n; i++) {
        if (operand_na(&a, i) || operand_na(&b, i)) {
            col_set_na(out, i);
            continue;
        }
        if (intres) {
            uint64_t x = (uint64_t)operand_i(&a, i), y = (uint64_t)operand_i(&b, i);
            int64_t r = 0;
            switch (op) {
            case OP_ADD: r = (int64_t)(x + y); break; /* wraps, as Lua integers do */
            case OP_SUB: r = (int64_t)(x - y); break;
            case OP_MUL: r = (int64_t)(x * y); break;
            case OP_IDIV:
            case OP_MOD: {
                int64_t xi = (int64_t)x, yi = (int64_t)y;
                if (yi == 0) {
                    col_set_na(out, i); /* Lua would raise; a column says NA */
                    continue;
                }
                if (yi == -1) {
                    r = op == OP_IDIV ? (int64_t)(0 - x) : 0;
                    break;
                }
                int64_t q = xi / yi, m = xi % yi;
                if (m != 0 && ((m ^ yi) < 0)) {
                    q -= 1;
                    m += yi;
                }
                r = op == OP_IDIV ? q : m;
                break;
            }
            default: break;
            }
            out->i64[i] = r;
        } else {
            double x = operand_d(&a, i), y = operand_d(&b, i), r = 0;
            switch (op) {
            case OP_ADD: r = x + y; break;
            case OP_SUB: r = x - y; break;
            case OP_MUL: r = x * y; break;
            case OP_DIV: r = x / y; break;
            case OP_IDIV: r = floor(x / y); break;
            case OP_MOD:
                r = fmod(x, y);
                if (r != 0 && (r > 0) != (y > 0)) r += y;
                break;
            case OP_POW: r = pow(x, y); break;
            }
            out->f64[i] = r;
        }
    }
    lab_pushcolumn(L, out, NULL);
    return 1;
}

static int c_add(lua_State *L) { return arith(L, OP_ADD, "add"); }
static int c_sub(lua_State *L) { return arith(L, OP_SUB, "subtract"); }
static int c_mul(lua_State *L) { return arith(L, OP_MUL, "multiply"); }
static int c_div(lua_State *L) { return arith(L, OP_DIV, "divide"); }
static int c_idiv(lua_State *L) { return arith(L, OP_IDIV, "floor-divide"); }
static int c_mod(lua_State *L) { return arith(L, OP_MOD, "take the modulo of"); }
static int c_pow(lua_State *L) { return arith(L, OP_POW, "raise"); }

static int c_unm(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    if (c->type == COL_STRING || c->type == COL_BOOLEAN)
        return luaL_error(L, "cannot negate a %s column", col_type_name(c->type));
    column *out = col_new(c->type, c->n, NULL);
    for (size_t i = 0; i < c->n; i++) {
        if (col_is_na(c, i)) col_set_na(out, i);
        else if (c->type == COL_NUMBER) out->f64[i] = -c->f64[i];
        else out->i64[i] = (int64_t)(0 - (uint64_t)c->i64[i]);
    }
    lab_pushcolumn(L, out, NULL);
    return 1;
}

/* Element-wise math: c:abs(), c:sqrt(), c:log(), c:exp(), c:round([digits]). */
static int unary_math(lua_State *L, double (*fn)(double)) {
    column *c = lab_checkcolumn(L, 1);
    if (c->type == COL_STRING) return luaL_error(L, "cannot apply math to a string column");
    column *out = col_new(COL_NUMBER, c->n, NULL);
    for (size_t i = 0; i < c->n; i++) {
        if (col_is_na(c, i)) col_set_na(out, i);
        else out->f64[i] = fn(col_as_double(c, i));
    }
    lab_pushcolumn(L, out, lab_columnname(L, 1));
    return 1;
}
static int c_abs(lua_State *L) { return unary_math(L, fabs); }
static int c_sqrt(lua_State *L) { return unary_math(L, sqrt); }
static int c_log(lua_State *L) { return unary_math(L, log); }
static int c_exp(lua_State *L) { return unary_math(L, exp); }

static int c_round(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    int digits = (int)luaL_optinteger(L, 2, 0);
    if (c->type == COL_STRING) return luaL_error(L, "cannot round a string column");
    double scale = pow(10, digits);
    column *out = col_new(COL_NUMBER, c->n, NULL);
    for (size_t i = 0; i < c->n; i++) {
        if (col_is_na(c, i)) col_set_na(out, i);
        else out->f64[i] = nearbyint(col_as_double(c, i) * scale) / scale;
    }
    lab_pushcolumn(L, out, lab_columnname(L, 1));
    return 1;
}

/* ---- comparisons and masks ----------------------------------------------- */

typedef enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cmp_op;

static int cmp_result(int c, cmp_op op) {
    switch (op) {
    case CMP_EQ: return c == 0;
    case CMP_NE: return c != 0;
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    case CMP_GE: return c >= 0;
    }
    return 0;
}

static int compare(lua_State *L, cmp_op op) {
    column *a = lab_checkcolumn(L, 1);
    column *b = lab_testcolumn(L, 2);
    if (b && b->n != a->n)
        return luaL_error(L, "cannot compare columns of %d and %d rows", (int)a->n, (int)b->n);
    int astr = a->type == COL_STRING;
    if (b ? (b->type == COL_STRING) != astr : (lua_type(L, 2) == LUA_TSTRING) != astr) {
        if (!b && lua_isnil(L, 2)) return luaL_argerror(L, 2, "compare with nil: use c:isna()");
        return luaL_error(L, "cannot compare a %s column with %s", col_type_name(a->type),
                          b ? col_type_name(b->type) : luaL_typename(L, 2));
    }
    if (!b && !astr && lua_type(L, 2) != LUA_TNUMBER && lua_type(L, 2) != LUA_TBOOLEAN)
        return luaL_argerror(L, 2, "expected a column, a number or a boolean");
    column *out = col_new(COL_BOOLEAN, a->n, NULL);
    /* for a string scalar, compare codes when equality is asked */
    const char *s = astr && !b ? lua_tostring(L, 2) : NULL;
    double sv = !b && !astr ? (lua_isboolean(L, 2) ? lua_toboolean(L, 2) : lua_tonumber(L, 2)) : 0;
    int both_int = !b && lua_isinteger(L, 2) && a->type == COL_INTEGER;
    lua_Integer si = both_int ? lua_tointeger(L, 2) : 0;
    for (size_t i = 0; i < a->n; i++) {
        if (col_is_na(a, i) || (b && col_is_na(b, i))) {
            col_set_na(out, i);
            continue;
        }
        int c;
        if (astr) c = strcmp(col_str(a, i), b ? col_str(b, i) : s);
        else if (both_int) c = a->i64[i] < si ? -1 : a->i64[i] > si;
        else if (b && a->type == COL_INTEGER && b->type == COL_INTEGER)
            c = a->i64[i] < b->i64[i] ? -1 : a->i64[i] > b->i64[i];
        else {
            double x = col_as_double(a, i), y = b ? col_as_double(b, i) : sv;
            if (isnan(x) || isnan(y)) {
                out->b[i] = op == CMP_NE;
                continue;
            }
            c = x < y ? -1 : x > y;
        }
        out->b[i] = (uint8_t)cmp_result(c, op);
    }
    lab_pushcolumn(L, out, NULL);
    return 1;
}

static int c_eq(lua_State *L) { return compare(L, CMP_EQ); }
static int c_ne(lua_State *L) { return compare(L, CMP_NE); }
static int c_lt(lua_State *L) { return compare(L, CMP_LT); }
static int c_le(lua_State *L) { return compare(L, CMP_LE); }
static int c_gt(lua_State *L) { return compare(L, CMP_GT); }
static int c_ge(lua_State *L) { return compare(L, CMP_GE); }

/* c:isin{"a", "b"} */
static int c_isin(lua_State *L) {
    column *a = lab_checkcolumn(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    column *set = lab_tocolumn(L, 2, (size_t)-1);
    column *out = col_new(COL_BOOLEAN, a->n, NULL);
    for (size_t i = 0; i < a->n; i++) {
        if (col_is_na(a, i)) continue;
        for (size_t k = 0; k < set->n && !out->b[i]; k++) {
            if (col_is_na(set, k)) continue;
            if (a->type == COL_STRING) {
                if (set->type == COL_STRING) out->b[i] = strcmp(col_str(a, i), col_str(set, k)) == 0;
            } else if (set->type != COL_STRING)
                out->b[i] = col_as_double(a, i) == col_as_double(set, k);
        }
    }
    col_free(set);
    lab_pushcolumn(L, out, NULL);
    return 1;
}

static column *check_mask(lua_State *L, int i) {
    column *m = lab_testcolumn(L, i);
    if (!m || m->type != COL_BOOLEAN)
        luaL_error(L, "& | ~ combine boolean columns (masks), got %s",
                   m ? col_type_name(m->type) : luaL_typename(L, i));
    return m;
}

/* Kleene logic: NA & false = false, NA | true = true, otherwise NA. */
static int logic(lua_State *L, int is_and) {
    column *a = check_mask(L, 1), *b = check_mask(L, 2);
    if (a->n != b->n) return luaL_error(L, "cannot combine masks of %d and %d rows", (int)a->n, (int)b->n);
    column *out = col_new(COL_BOOLEAN, a->n, NULL);
    for (size_t i = 0; i < a->n; i++) {
        int an = col_is_na(a, i), bn = col_is_na(b, i);
        int av = !an && a->b[i], bv = !bn && b->b[i];
        if (is_and) {
            if ((!an && !av) || (!bn && !bv)) out->b[i] = 0;
            else if (an || bn) col_set_na(out, i);
            else out->b[i] = 1;
        } else {
            if (av || bv) out->b[i] = 1;
            else if (an || bn) col_set_na(out, i);
            else out->b[i] = 0;
        }
    }
    lab_pushcolumn(L, out, NULL);
    return 1;
}

static int c_band(lua_State *L) { return logic(L, 1); }
static int c_bor(lua_State *L) { return logic(L, 0); }

static int c_bnot(lua_State *L) {
    column *a = check_mask(L, 1);
    column *out = col_new(COL_BOOLEAN, a->n, NULL);
    for (size_t i = 0; i < a->n; i++) {
        if (col_is_na(a, i)) col_set_na(out, i);
        else out->b[i] = !a->b[i];
    }
    lab_pushcolumn(L, out, NULL);
    return 1;
}

static int c_index(lua_State *L) {
    column *c = lab_checkcolumn(L, 1);
    if (lua_isinteger(L, 2)) {
        lua_Integer i = lua_tointeger(L, 2);
        if (i < 0) i += (lua_Integer)c->n + 1;
        if (i < 1 || (size_t)i > c->n) return 0;
        lab_pushcell(L, c, (size_t)i - 1);
        return 1;
    }
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (lua_isnil(L, -1) && lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "a column has no method '%s'", lua_tostring(L, 2));
    return 1;
}

static const luaL_Reg column_methods[] = {
    {"type", c_type},   {"name", c_name},   {"totable", c_totable}, {"isna", c_isna},
    {"notna", c_notna}, {"map", c_map},     {"astype", c_astype},   {"eq", c_eq},
    {"ne", c_ne},       {"lt", c_lt},       {"le", c_le},           {"gt", c_gt},
    {"ge", c_ge},       {"isin", c_isin},   {"abs", c_abs},         {"sqrt", c_sqrt},
    {"log", c_log},     {"exp", c_exp},     {"round", c_round},     {NULL, NULL}};

static const luaL_Reg column_meta[] = {
    {"__len", c_len},   {"__tostring", c_tostring}, {"__index", c_index}, {"__add", c_add},
    {"__sub", c_sub},   {"__mul", c_mul},           {"__div", c_div},     {"__idiv", c_idiv},
    {"__mod", c_mod},   {"__pow", c_pow},           {"__unm", c_unm},     {"__band", c_band},
    {"__bor", c_bor},   {"__bnot", c_bnot},         {NULL, NULL}};

/* lab.column(list) — a column from a Lua list. */
static int l_column(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    column *c = lab_tocolumn(L, 1, (size_t)-1);
    lab_pushcolumn(L, c, luaL_optstring(L, 2, NULL));
    return 1;
}

void lab_open_column(lua_State *L) {
    luaL_getmetatable(L, LAB_COLUMN);
    luaL_setfuncs(L, column_meta, 0);
    lua_pop(L, 1);
    lab_add_methods(L, LAB_COLUMN, column_methods);
    lua_pushcfunction(L, l_column);
    lua_setfield(L, -2, "column");
}
