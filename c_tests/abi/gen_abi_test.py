#!/usr/bin/env python3
"""Generate an ABI test (c_tests/abi_layout*.c) from an ABI table layout-*-linux-x86_64.txt.

The table (measured from a real libuv's own header with gcc on Linux x86_64) lists:

  size  TYPE  SIZE  align  ALIGN          sizeof / _Alignof of a type
  handle_size NAME ENUM SIZE              uv_handle_size(ENUM) at run time
  req_size    NAME ENUM SIZE              uv_req_size(ENUM) at run time
  off   TYPE  FIELD  OFFSET  size  SIZE  [TAG]   offsetof and sizeof of a field
  typedef enum NAME / enum NAME, then "  CONSTANT  VALUE" rows   enum values
  enum (anonymous: FIRST...), then rows      values of an anonymous enum
  ## MACROS, then "  NAME  VALUE  (HEX)" rows                      macro values
  ## DOUBLE MACROS, then "  NAME  inf|nan" rows                    isinf / isnan

The generated C program includes "uv.h", checks every row, prints each mismatch,
then "abi: N passed, M failed", and exits non-zero on any failure. It compiles
against libuv's real header too (a check of the test itself).

Usage: gen_abi_test.py [TABLE [OUTPUT [EXCEPT]]]
  (defaults: layout-1.53-linux-x86_64.txt beside this script / ../abi_layout.c / none)

EXCEPT names facts of TABLE that are not checked, one per line with its reason after a
`#`: `off TYPE FIELD`, `macro NAME`. The 1.44 table's exceptions are the facts that
libuv 1.53 itself changed (superseded-1.44.txt): one library cannot satisfy both.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def c_type(name):
    """The table writes `struct X` as struct_X in offset rows."""
    if name.startswith("struct_"):
        return "struct " + name[len("struct_"):]
    return name


def c_int(value):
    """An integer literal that keeps its value when cast to long long."""
    v = int(value)
    if v >= 2**63:
        return "%dULL" % v
    return "%dLL" % v


def parse(path):
    sizes, runtime, offsets, enums, macros, doubles = [], [], [], [], [], []
    section = None
    enum_type = None
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("# "):
                continue
            if line.startswith("## "):
                section = line[3:]
                enum_type = None
                continue
            m = re.match(r"^size\s+(.+?)\s+(\d+)\s+align\s+(\d+)\s*$", line)
            if m:
                sizes.append((m.group(1), int(m.group(2)), int(m.group(3))))
                continue
            m = re.match(r"^(handle_size|req_size)\s+(\w+)\s+(\d+)\s+(\d+)\s*$", line)
            if m:
                runtime.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4))))
                continue
            m = re.match(r"^off\s+(\S+)\s+(\S+)\s+(\d+)\s+size\s+(\d+)\s+\[(\w)\]\s*$", line)
            if m:
                offsets.append((c_type(m.group(1)), m.group(2), int(m.group(3)),
                                int(m.group(4)), m.group(5)))
                continue
            m = re.match(r"^enum \(anonymous: (\w+)\.\.\.\)\s*$", line)
            if m:
                # No type name to take the size of: the values alone are checked.
                enum_type = "anonymous"
                enums.append((None, []))
                continue
            m = re.match(r"^\s+(UV_\w+)\s+(inf|nan)\s*$", line)
            if m and section.startswith("DOUBLE MACROS"):
                doubles.append((m.group(1), m.group(2)))
                continue
            m = re.match(r"^(typedef enum|enum)\s+(\w+)\s*$", line)
            if m:
                # libuv typedefs most enums anonymously: name those by the typedef.
                enum_type = m.group(2) if m.group(1) == "typedef enum" else "enum " + m.group(2)
                enums.append((enum_type, []))
                continue
            m = re.match(r"^\s+(UV_\w+)\s+(-?\d+)(\s+\(0x[0-9a-f]+\))?\s*$", line)
            if m and section == "ENUMS" and enum_type:
                enums[-1][1].append((m.group(1), int(m.group(2))))
                continue
            if m and section == "MACROS":
                macros.append((m.group(1), int(m.group(2))))
                continue
            raise SystemExit("%s: cannot parse: %r" % (path, line))
    return sizes, runtime, offsets, enums, macros, doubles


def read_exceptions(path):
    """The facts not to check: {("off", TYPE, FIELD) or ("macro", NAME)}."""
    skip = set()
    if not path:
        return skip
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].split()
            if line:
                skip.add(tuple(line))
    return skip


def generate(table, out, except_path=None):
    sizes, runtime, offsets, enums, macros, doubles = parse(table)
    skip = read_exceptions(except_path)
    offsets = [o for o in offsets if ("off", o[0].replace("struct ", "struct_"), o[1]) not in skip]
    macros = [m for m in macros if ("macro", m[0]) not in skip]
    version = "?"
    with open(table) as f:
        m = re.search(r"libuv header version (\S+)", f.readline())
        if m:
            version = m.group(1)
    rel = os.path.relpath(table, os.path.dirname(os.path.abspath(out)))
    w = []
    w.append("/* ABI test: libuv %s's sizes, alignments, field offsets, enum and macro" % version)
    w.append(" * values on Linux x86_64, checked against uv.h and (for the uv_handle_size /")
    w.append(" * uv_req_size rows) against the library at run time.")
    w.append(" *")
    w.append(" * GENERATED by c_tests/abi/gen_abi_test.py from %s." % rel)
    if skip:
        w.append(" * Not checked (%s): %s." % (os.path.basename(except_path),
                 ", ".join(" ".join(k[1:]) for k in sorted(skip))))
    w.append(" * Do not edit: change the table or the script and regenerate. */")
    w.append("")
    w.append("#include <math.h>")
    w.append("#include <stddef.h>")
    w.append("#include <stdio.h>")
    w.append('#include "uv.h"')
    w.append("")
    w.append("static int passed;")
    w.append("static int failed;")
    w.append("")
    w.append("static void check(const char* what, long long got, long long want) {")
    w.append("  if (got == want) {")
    w.append("    passed++;")
    w.append("  } else {")
    w.append("    failed++;")
    w.append('    printf("abi mismatch: %s: got %lld, want %lld\\n", what, got, want);')
    w.append("  }")
    w.append("}")
    w.append("")
    w.append("#define MISSING(what) (failed++, printf(\"abi mismatch: %s: missing\\n\", what))")
    w.append("#define CHECK(expr, want) check(#expr, (long long)(expr), (long long)(want))")
    w.append("")

    w.append("static void check_sizes(void) {")
    for name, size, align in sizes:
        w.append("  CHECK(sizeof(%s), %s);" % (name, c_int(size)))
        w.append("  CHECK(_Alignof(%s), %s);" % (name, c_int(align)))
    w.append("}")
    w.append("")

    w.append("static void check_offsets(void) {")
    for typ, field, off, size, tag in offsets:
        w.append("  CHECK(offsetof(%s, %s), %s);" % (typ, field, c_int(off)))
        w.append("  CHECK(sizeof(((%s*)0)->%s), %s);" % (typ, field, c_int(size)))
    w.append("}")
    w.append("")

    w.append("static void check_enums(void) {")
    for typ, values in enums:
        if typ is not None:
            w.append("  CHECK(sizeof(%s), 4);" % typ)
        for name, value in values:
            w.append("  CHECK(%s, %s);" % (name, c_int(value)))
    w.append("}")
    w.append("")

    w.append("static void check_macros(void) {")
    for name, value in macros:
        w.append("#ifdef %s" % name)
        w.append("  CHECK(%s, %s);" % (name, c_int(value)))
        w.append("#else")
        w.append('  MISSING("macro %s");' % name)
        w.append("#endif")
    w.append("}")
    w.append("")

    w.append("static void check_double_macros(void) {")
    for name, kind in doubles:
        w.append("#ifdef %s" % name)
        w.append("  check(\"is%s(%s)\", !!is%s(%s), 1);" % (kind, name, kind, name))
        w.append("#else")
        w.append('  MISSING("macro %s");' % name)
        w.append("#endif")
    w.append("}")
    w.append("")

    w.append("static void check_runtime_sizes(void) {")
    for fn_name in ("uv_handle_size", "uv_req_size"):
        rows = [r for r in runtime if r[0] == fn_name[3:]]
        if not rows:
            continue
        enum_t = "uv_handle_type" if fn_name == "uv_handle_size" else "uv_req_type"
        for _, name, value, size in rows:
            w.append("  check(\"%s(%d) /* %s */\", (long long)%s((%s)%d), (long long)%s);"
                     % (fn_name, value, name, fn_name, enum_t, value, c_int(size)))
    w.append("}")
    w.append("")

    w.append("int main(void) {")
    w.append("  check_sizes();")
    w.append("  check_offsets();")
    w.append("  check_enums();")
    w.append("  check_macros();")
    w.append("  check_double_macros();")
    w.append("  check_runtime_sizes();")
    w.append('  printf("abi: %d passed, %d failed\\n", passed, failed);')
    w.append("  return failed == 0 ? 0 : 1;")
    w.append("}")

    with open(out, "w") as f:
        f.write("\n".join(w) + "\n")
    n = (2 * len(sizes) + 2 * len(offsets)
         + sum((t is not None) + len(v) for t, v in enums)
         + len(macros) + len(doubles) + len(runtime))
    print("%s: %d checks" % (out, n))


def main():
    table = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "layout-1.53-linux-x86_64.txt")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "abi_layout.c")
    exc = sys.argv[3] if len(sys.argv) > 3 else None
    generate(table, os.path.normpath(out), exc)


if __name__ == "__main__":
    main()
