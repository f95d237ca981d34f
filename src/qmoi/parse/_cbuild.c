/* qmoi.parse._cbuild: libyaml's events straight into qmoi.parse.nodes objects.
 *
 * The same tree as qmoi.parse.yaml's _Builder, without PyYAML's event and Mark objects,
 * which cost half of that builder's time (issue 4). Only the common, valid case is built
 * here: for anything the Python builder reports (a YAML error, a duplicate or non-scalar
 * key, an unknown alias, nesting or alias expansion beyond its bounds) and for text
 * libyaml cannot be given (lone surrogates), build() returns None and the caller runs
 * the Python builder, which produces the diagnostics.
 *
 * Nodes are frozen slotted dataclasses. Like the Python builder's "shells", objects are
 * allocated bare and their slots written directly (the offsets come from the classes'
 * member descriptors at configure()), skipping __init__ and the frozen __setattr__.
 * Offsets: libyaml's mark.index counts characters, not bytes, so with the UTF-8 text of
 * a str it is a str index, as PyYAML's CParser (which feeds libyaml the same way) reports.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <yaml.h>

#define SLOT(obj, off) (*(PyObject **)((char *)(obj) + (off)))

enum { OK = 0, FAIL = -1, FALLBACK = 1 };

typedef struct {
    PyTypeObject *type;
    Py_ssize_t off[6];
} Layout;

/* Field order per class, as in qmoi/parse/nodes.py and qmoi/source.py. */
enum { SPAN_START, SPAN_END };
enum { SC_VALUE, SC_SPAN, SC_KIND, SC_STYLE, SC_TAG, SC_ANCHOR };
enum { MP_PAIRS, MP_SPAN, MP_FLOW, MP_ANCHOR, MP_TAG, MP_INDEX };
enum { SQ_ITEMS, SQ_SPAN, SQ_FLOW, SQ_ANCHOR, SQ_TAG };

static const char *const SPAN_FIELDS[] = {"start", "end", NULL};
static const char *const SCALAR_FIELDS[] = {"value", "span", "kind", "style", "tag", "anchor",
                                            NULL};
static const char *const MAPPING_FIELDS[] = {"pairs", "span", "flow", "anchor", "tag", "index",
                                             NULL};
static const char *const SEQUENCE_FIELDS[] = {"items", "span", "flow", "anchor", "tag", NULL};

static Layout span_l, scalar_l, mapping_l, sequence_l;
static PyObject *resolve_fn;   /* resolve_scalar(value, style, tag) -> ScalarKind */
enum { K_STR, K_NULL, K_BOOL, K_INT, K_FLOAT, K_COUNT };
static PyObject *kinds[K_COUNT];  /* ScalarKind.STR, .NULL, .BOOL, .INT, .FLOAT */
static PyObject *styles[6];    /* by yaml_scalar_style_t: "" for plain, "'", '"', "|", ">" */
static Py_ssize_t max_depth, factor, slack;
static int configured;
static char typed_start[256];  /* first characters a plain scalar needs to be a non-string */

/* ---- configuration ---------------------------------------------------------------- */

/* The slot offsets of a frozen slotted dataclass, checked to be exactly `fields`: a field
 * added to the class without being added here must fail at import, not build a node
 * with an unset slot. */
static int
layout(PyObject *cls, const char *const *fields, Layout *out)
{
    if (!PyType_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "configure() expects classes");
        return -1;
    }
    PyTypeObject *type = (PyTypeObject *)cls;
    PyObject *slots = PyObject_GetAttrString(cls, "__slots__");
    if (slots == NULL) return -1;
    Py_ssize_t count = 0;
    while (fields[count] != NULL) count++;
    int same = PyTuple_Check(slots) && PyTuple_GET_SIZE(slots) == count;
    Py_DECREF(slots);
    if (!same || type->tp_dictoffset != 0 || type->tp_base != &PyBaseObject_Type) {
        PyErr_Format(PyExc_TypeError, "qmoi.parse._cbuild does not know the layout of %s",
                     type->tp_name);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *descr = PyDict_GetItemString(type->tp_dict, fields[i]);  /* borrowed */
        if (descr == NULL || Py_TYPE(descr) != &PyMemberDescr_Type ||
            ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX) {
            PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", type->tp_name, fields[i]);
            return -1;
        }
        out->off[i] = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    Py_INCREF(cls);
    out->type = type;
    return 0;
}

/* Either every setting changes or none does: a refused configure() leaves a working one. */
static PyObject *
configure(PyObject *Py_UNUSED(module), PyObject *args)
{
    static const char *const kind_names[K_COUNT] = {"STR", "NULL", "BOOL", "INT", "FLOAT"};
    PyObject *span, *scalar, *mapping, *sequence, *resolve, *kind_enum;
    Py_ssize_t depth, fac, sl;
    if (!PyArg_ParseTuple(args, "OOOOOOnnn:configure", &span, &scalar, &mapping, &sequence,
                          &resolve, &kind_enum, &depth, &fac, &sl))
        return NULL;
    if (depth < 1 || fac < 0 || sl < 0) {
        PyErr_SetString(PyExc_ValueError, "configure(): bad bounds");
        return NULL;
    }
    Layout l[4] = {{0}};
    PyObject *k[K_COUNT] = {NULL};
    int ok = layout(span, SPAN_FIELDS, &l[0]) == 0 && layout(scalar, SCALAR_FIELDS, &l[1]) == 0 &&
             layout(mapping, MAPPING_FIELDS, &l[2]) == 0 &&
             layout(sequence, SEQUENCE_FIELDS, &l[3]) == 0;
    for (int i = 0; ok && i < K_COUNT; i++) {
        k[i] = PyObject_GetAttrString(kind_enum, kind_names[i]);
        ok = k[i] != NULL;
    }
    if (!ok) {
        for (int i = 0; i < 4; i++) Py_XDECREF(l[i].type);
        for (int i = 0; i < K_COUNT; i++) Py_XDECREF(k[i]);
        return NULL;
    }
    Layout *target[4] = {&span_l, &scalar_l, &mapping_l, &sequence_l};
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(target[i]->type);
        *target[i] = l[i];
    }
    for (int i = 0; i < K_COUNT; i++) Py_XSETREF(kinds[i], k[i]);
    Py_INCREF(resolve);
    Py_XSETREF(resolve_fn, resolve);
    max_depth = depth;
    factor = fac;
    slack = sl;
    configured = 1;
    Py_RETURN_NONE;
}

/* ---- node creation ---------------------------------------------------------------- */

static PyObject *
new_span(Py_ssize_t start, Py_ssize_t end)
{
    PyObject *span = span_l.type->tp_alloc(span_l.type, 0);
    if (span == NULL) return NULL;
    if ((SLOT(span, span_l.off[SPAN_START]) = PyLong_FromSsize_t(start)) == NULL ||
        (SLOT(span, span_l.off[SPAN_END]) = PyLong_FromSsize_t(end)) == NULL) {
        Py_DECREF(span);
        return NULL;
    }
    return span;
}

/* A libyaml string (UTF-8, NUL-terminated) as str, or None for NULL. */
static PyObject *
text_or_none(const yaml_char_t *text)
{
    if (text == NULL) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8((const char *)text, (Py_ssize_t)strlen((const char *)text),
                                "strict");
}

/* ---- the builder ------------------------------------------------------------------ */

typedef struct {
    int is_mapping, flow;
    Py_ssize_t start, end, extra;
    Py_ssize_t last_end;  /* where the last child's event ended (an alias ends at itself) */
    PyObject *anchor, *tag, *children;  /* owned */
} Open;

typedef struct {
    Open *stack;
    Py_ssize_t depth;
    PyObject *anchors;  /* name -> (node, expanded size) */
    PyObject *documents;
    Py_ssize_t physical;
} Builder;

/* Add a finished node (new reference, stolen) to the innermost collection or the
 * documents. `size` is its expanded size; `end` where its event ended. */
static int
add(Builder *b, PyObject *node, Py_ssize_t size, Py_ssize_t end)
{
    if (b->depth == 0) {
        int rc = PyList_Append(b->documents, node);
        Py_DECREF(node);
        return rc < 0 ? FAIL : OK;
    }
    Open *top = &b->stack[b->depth - 1];
    if (top->is_mapping && PyList_GET_SIZE(top->children) % 2 == 0 &&
        Py_TYPE(node) != scalar_l.type) {
        Py_DECREF(node);
        return FALLBACK;  /* a key that is not a scalar: P108 */
    }
    int rc = PyList_Append(top->children, node);
    Py_DECREF(node);
    if (rc < 0) return FAIL;
    top->extra += size - 1;
    top->last_end = end;
    return OK;
}

static int
remember(Builder *b, PyObject *anchor, PyObject *node, Py_ssize_t size)
{
    PyObject *entry = Py_BuildValue("(On)", node, size);
    if (entry == NULL) return FAIL;
    int rc = PyDict_SetItem(b->anchors, anchor, entry);
    Py_DECREF(entry);
    return rc < 0 ? FAIL : OK;
}

/* ---- scalar kinds: qmoi/parse/resolve.py's regular expressions, over the UTF-8 bytes -- */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int
any_of(const char *text, Py_ssize_t n, const char *const *words)
{
    for (; *words != NULL; words++)
        if ((Py_ssize_t)strlen(*words) == n && memcmp(text, *words, (size_t)n) == 0) return 1;
    return 0;
}

/* Digits from *i on; how many. */
static Py_ssize_t
digits(const char *t, Py_ssize_t n, Py_ssize_t *i, int (*ok)(unsigned char))
{
    Py_ssize_t from = *i;
    while (*i < n && ok((unsigned char)t[*i])) (*i)++;
    return *i - from;
}

static int is_octal(unsigned char c) { return c >= '0' && c <= '7'; }
static int is_hex(unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* _INT: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static int
is_int(const char *t, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    if (n > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'x')) {
        i = 2;
        if (digits(t, n, &i, t[1] == 'o' ? is_octal : is_hex) > 0 && i == n) return 1;
        i = 0;
    }
    if (i < n && (t[i] == '-' || t[i] == '+')) i++;
    return digits(t, n, &i, is_digit) > 0 && i == n;
}

/* _FLOAT: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF)
 *         | \.(nan|NaN|NAN) */
static int
is_float(const char *t, Py_ssize_t n)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    if (any_of(t, n, nan)) return 1;
    Py_ssize_t i = 0;
    if (n > 0 && (t[0] == '-' || t[0] == '+')) i = 1;
    if (any_of(t + i, n - i, inf)) return 1;
    if (i < n && t[i] == '.') {
        i++;
        if (digits(t, n, &i, is_digit) == 0) return 0;
    } else {
        if (digits(t, n, &i, is_digit) == 0) return 0;
        if (i < n && t[i] == '.') {
            i++;
            digits(t, n, &i, is_digit);
        }
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '-' || t[i] == '+')) i++;
        if (digits(t, n, &i, is_digit) == 0) return 0;
    }
    return i == n;
}

/* The kind of an untagged plain scalar (resolve_scalar's regular-expression part). */
static int
plain_kind(const char *t, Py_ssize_t n)
{
    static const char *const null[] = {"~", "null", "Null", "NULL", NULL};
    static const char *const boolean[] = {"true", "True", "TRUE", "false", "False", "FALSE",
                                          NULL};
    if (n == 0 || any_of(t, n, null)) return K_NULL;
    if (!typed_start[(unsigned char)t[0]]) return K_STR;
    if (any_of(t, n, boolean)) return K_BOOL;
    if (is_int(t, n)) return K_INT;
    if (is_float(t, n)) return K_FLOAT;
    return K_STR;
}

static PyObject *
kind_of(const yaml_event_t *ev, PyObject *value, PyObject *style, PyObject *tag)
{
    const char *text = (const char *)ev->data.scalar.value;
    Py_ssize_t n = (Py_ssize_t)ev->data.scalar.length;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_ANY_SCALAR_STYLE;
    if (tag == Py_None) {
        if (!plain) return Py_NewRef(kinds[K_STR]);
        /* Python's "$" also matches before a final newline; leave that to resolve_scalar. */
        if (n == 0 || text[n - 1] != '\n') return Py_NewRef(kinds[plain_kind(text, n)]);
    }
    return PyObject_CallFunctionObjArgs(resolve_fn, value, style, tag, NULL);
}

static int
on_scalar(Builder *b, yaml_event_t *ev)
{
    yaml_scalar_style_t style_id = ev->data.scalar.style;
    PyObject *style = styles[style_id < 6 ? style_id : 0];
    PyObject *node = scalar_l.type->tp_alloc(scalar_l.type, 0);
    if (node == NULL) return FAIL;
    PyObject *value = PyUnicode_DecodeUTF8((const char *)ev->data.scalar.value,
                                           (Py_ssize_t)ev->data.scalar.length, "strict");
    SLOT(node, scalar_l.off[SC_VALUE]) = value;
    if (value == NULL) goto fail;
    PyObject *tag = text_or_none(ev->data.scalar.tag);
    SLOT(node, scalar_l.off[SC_TAG]) = tag;
    if (tag == NULL) goto fail;
    PyObject *anchor = text_or_none(ev->data.scalar.anchor);
    SLOT(node, scalar_l.off[SC_ANCHOR]) = anchor;
    if (anchor == NULL) goto fail;
    SLOT(node, scalar_l.off[SC_STYLE]) = Py_NewRef(style);
    PyObject *span = new_span((Py_ssize_t)ev->start_mark.index, (Py_ssize_t)ev->end_mark.index);
    SLOT(node, scalar_l.off[SC_SPAN]) = span;
    if (span == NULL) goto fail;
    PyObject *kind = kind_of(ev, value, style, tag);
    SLOT(node, scalar_l.off[SC_KIND]) = kind;
    if (kind == NULL) goto fail;
    b->physical++;
    if (anchor != Py_None && remember(b, anchor, node, 1) != OK) goto fail;
    return add(b, node, 1, (Py_ssize_t)ev->end_mark.index);
fail:
    Py_DECREF(node);
    return FAIL;
}

static int
on_open(Builder *b, yaml_event_t *ev, int is_mapping)
{
    if (b->depth >= max_depth) return FALLBACK;  /* P104 */
    const yaml_char_t *anchor, *tag;
    int flow;
    if (is_mapping) {
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
    } else {
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    }
    Open *top = &b->stack[b->depth];
    top->is_mapping = is_mapping;
    top->flow = flow;
    top->start = (Py_ssize_t)ev->start_mark.index;
    top->end = (Py_ssize_t)ev->end_mark.index;
    top->extra = 0;
    top->last_end = top->end;
    top->anchor = text_or_none(anchor);
    top->tag = top->anchor ? text_or_none(tag) : NULL;
    top->children = top->tag ? PyList_New(0) : NULL;
    if (top->children == NULL) {
        Py_XDECREF(top->anchor);
        Py_XDECREF(top->tag);
        return FAIL;
    }
    b->depth++;
    return OK;
}

/* A mapping's pairs and key index from its children; FALLBACK on a repeated key (P102). */
static int
fill_pairs(PyObject *node, PyObject *children)
{
    Py_ssize_t n = PyList_GET_SIZE(children) / 2;
    PyObject *pairs = PyTuple_New(n);
    SLOT(node, mapping_l.off[MP_PAIRS]) = pairs;
    if (pairs == NULL) return FAIL;
    PyObject *index = PyDict_New();
    SLOT(node, mapping_l.off[MP_INDEX]) = index;
    if (index == NULL) return FAIL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *key = PyList_GET_ITEM(children, 2 * i);
        PyObject *value = PyList_GET_ITEM(children, 2 * i + 1);
        PyObject *pair = PyTuple_Pack(2, key, value);
        if (pair == NULL) return FAIL;
        PyTuple_SET_ITEM(pairs, i, pair);
        if (PyDict_SetItem(index, SLOT(key, scalar_l.off[SC_VALUE]), value) < 0) return FAIL;
    }
    return PyDict_GET_SIZE(index) == n ? OK : FALLBACK;
}

static int
on_close(Builder *b, yaml_event_t *ev)
{
    Open *top = &b->stack[--b->depth];
    PyObject *children = top->children, *anchor = top->anchor, *tag = top->tag;
    Py_ssize_t count = PyList_GET_SIZE(children);
    Py_ssize_t end = top->flow ? (Py_ssize_t)ev->end_mark.index : top->last_end;
    if (end < top->start) end = top->start;
    Py_ssize_t size = 1 + count + top->extra;
    int rc = FAIL;
    PyObject *node = NULL;
    /* Only aliases make a collection's expanded size exceed the nodes written (P103). */
    if (size > factor * b->physical + slack) {
        rc = FALLBACK;
        goto done;
    }
    const Layout *l = top->is_mapping ? &mapping_l : &sequence_l;
    node = l->type->tp_alloc(l->type, 0);
    if (node == NULL) goto done;
    /* Field positions 1-4 (span, flow, anchor, tag) are the same in both classes. */
    PyObject *span = new_span(top->start, end);
    SLOT(node, l->off[1]) = span;
    if (span == NULL) goto done;
    SLOT(node, l->off[2]) = Py_NewRef(top->flow ? Py_True : Py_False);
    SLOT(node, l->off[3]) = Py_NewRef(anchor);
    SLOT(node, l->off[4]) = Py_NewRef(tag);
    if (top->is_mapping) {
        rc = fill_pairs(node, children);
        if (rc != OK) goto done;
    } else {
        PyObject *items = PyList_AsTuple(children);
        SLOT(node, l->off[SQ_ITEMS]) = items;
        if (items == NULL) goto done;
    }
    b->physical++;
    if (anchor != Py_None && remember(b, anchor, node, size) != OK) goto done;
    rc = add(b, node, size, end);
    node = NULL;  /* stolen by add() */
done:
    Py_XDECREF(node);
    Py_DECREF(children);
    Py_DECREF(anchor);
    Py_DECREF(tag);
    return rc;
}

static int
on_alias(Builder *b, yaml_event_t *ev)
{
    PyObject *name = text_or_none(ev->data.alias.anchor);
    if (name == NULL) return FAIL;
    PyObject *target = PyDict_GetItemWithError(b->anchors, name);  /* borrowed */
    Py_DECREF(name);
    if (target == NULL) return PyErr_Occurred() ? FAIL : FALLBACK;  /* P101 */
    PyObject *node = PyTuple_GET_ITEM(target, 0);
    Py_ssize_t size = PyLong_AsSsize_t(PyTuple_GET_ITEM(target, 1));
    Py_ssize_t total = size;
    if (b->depth > 0) {
        Open *top = &b->stack[b->depth - 1];
        total += 1 + PyList_GET_SIZE(top->children) + top->extra;
    }
    if (total > factor * b->physical + slack) return FALLBACK;  /* P103 */
    return add(b, Py_NewRef(node), size, (Py_ssize_t)ev->end_mark.index);
}

static int
dispatch(Builder *b, yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_MAPPING_START_EVENT:
        return on_open(b, ev, 1);
    case YAML_SEQUENCE_START_EVENT:
        return on_open(b, ev, 0);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return on_close(b, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    default:
        return OK;
    }
}

static PyObject *
build(PyObject *Py_UNUSED(module), PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "build() expects a str");
        return NULL;
    }
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "qmoi.parse._cbuild.configure() was not called");
        return NULL;
    }
    Py_ssize_t length;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &length);
    if (utf8 == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return NULL;
        PyErr_Clear();  /* lone surrogates: the Python path says what happens to them */
        Py_RETURN_NONE;
    }
    Builder b = {NULL, 0, NULL, NULL, 0};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return PyErr_NoMemory();
    yaml_parser_set_input_string(&parser, (const unsigned char *)utf8, (size_t)length);
    int rc = FAIL;
    b.stack = PyMem_New(Open, max_depth);
    b.anchors = PyDict_New();
    b.documents = PyList_New(0);
    if (b.stack == NULL || b.anchors == NULL || b.documents == NULL) {
        if (b.stack == NULL) PyErr_NoMemory();
        goto done;
    }
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = FALLBACK;  /* a YAML error: the Python path words and locates it */
            break;
        }
        int end = ev.type == YAML_STREAM_END_EVENT;
        rc = dispatch(&b, &ev);
        yaml_event_delete(&ev);
        if (rc != OK || end) break;
    }
done:
    while (b.depth > 0) {
        Open *top = &b.stack[--b.depth];
        Py_DECREF(top->anchor);
        Py_DECREF(top->tag);
        Py_DECREF(top->children);
    }
    PyMem_Free(b.stack);
    Py_XDECREF(b.anchors);
    yaml_parser_delete(&parser);
    if (rc == OK) return b.documents;
    Py_XDECREF(b.documents);
    if (rc == FAIL) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(span, scalar, mapping, sequence, resolve, kind_enum, max_depth, factor, slack)"},
    {"build", build, METH_O,
     "build(text) -> the documents' root nodes, or None where the Python builder must run"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "qmoi.parse._cbuild", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__cbuild(void)
{
    static const char *const names[6] = {"", "", "'", "\"", "|", ">"};
    for (int i = 0; i < 6; i++) {
        /* YAML_ANY_SCALAR_STYLE (0) and YAML_PLAIN_SCALAR_STYLE (1) both read as plain. */
        if (styles[i] == NULL && (styles[i] = PyUnicode_InternFromString(names[i])) == NULL)
            return NULL;
    }
    for (const char *c = "~nNtTfF0123456789+-."; *c; c++) typed_start[(unsigned char)*c] = 1;
    return PyModule_Create(&module_def);
}
