#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every function the public headers declare is documented.

usage: kdoc-api.py KERNEL-DOC ROOT

For each function declared in ROOT/include/go3s/*.h (prototypes, static
inline functions, and lower-case function-like macros such as go3s_go()):

- exactly one kernel-doc comment describes it, in the headers or in the
  runtime's sources (go3s_rt/, mid/, arch/x86_64/). A __name() that only
  backs a documented macro or inline name() is covered by name()'s comment;
- that comment has a non-empty Context: section;
- it has a Return: section if the function returns a value (a macro
  counts as returning one), and none if it returns void: void functions
  say nothing about a return value, which kernel-doc accepts;
- a comment that is not in the header itself is named by the header (the
  path of the .c file), so a reader of the header knows where to look;
- the file holding the comment is pulled into Documentation/*.rst by a
  ``.. kernel-doc::`` directive that does not filter the function out,
  and the header names that .rst file.

Prints one line per problem and "api-doc: N functions, M problems"; exits
1 if there is any problem.
"""
import glob
import os
import re
import subprocess
import sys

SOURCES = ["go3s_rt/*.c", "mid/*.c", "arch/x86_64/*.c"]


def strip_comments(text):
    def keep_lines(m):
        return "\n" * m.group(0).count("\n")
    return re.sub(r"/\*.*?\*/|//[^\n]*", keep_lines, text, flags=re.S)


def declarations(path):
    """(name, kind, returns_void, line) for each function in a header."""
    text = strip_comments(open(path, encoding="utf-8").read())
    out = []
    body = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("#"):
            start = i
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i]
            m = re.match(r"\s*#\s*define\s+(_*go3s_\w+)\(", line)
            if m:
                out.append((m.group(1), "macro", False, start + 1))
            body.append("")
        else:
            body.append(line)
        i += 1
    code = "\n".join(body)
    depth = 0
    stmt = ""
    stmt_line = 1
    line = 1
    for ch in code:
        if ch == "\n":
            line += 1
        if depth:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            continue
        if ch in ";{":
            decl = " ".join(stmt.split())
            m = re.match(r"^(?P<ret>(?:[\w]+[\s*]+)+?\**)\s*(?P<name>\w+)\s*\(.*\)$",
                         decl)
            if m and not decl.startswith("typedef"):
                ret = re.sub(r"\b(static|inline|__always_inline|extern)\b", "",
                             m.group("ret"))
                ret = " ".join(ret.split())
                out.append((m.group("name"), "function", ret == "void",
                            stmt_line))
            if ch == "{":
                depth = 1
            stmt = ""
            continue
        if ch == "}":
            continue
        if not stmt.strip():
            stmt_line = line
        stmt += ch
    return out


def kernel_docs(kdoc, root, files):
    """name -> list of (file, is_void, sections) from kernel-doc -rst."""
    docs = {}
    for rel in files:
        res = subprocess.run([kdoc, "-rst", os.path.join(root, rel)],
                             capture_output=True, text=True, check=True)
        name = None
        for line in res.stdout.split("\n"):
            m = re.match(r"^\.\. c:(function|macro):: (.*)$", line)
            if m:
                if m.group(1) == "macro":
                    name, void = m.group(2).strip(), False
                else:
                    pm = re.match(r"^(.*?)\s*(\w+)\s*\(", m.group(2))
                    name, void = pm.group(2), pm.group(1).strip() == "void"
                docs.setdefault(name, []).append((rel, void, {}))
                section = None
                continue
            if re.match(r"^\.\. c:", line):
                name = None
            if not name:
                continue
            sm = re.match(r"^\s*\*\*(\w[\w ]*)\*\*\s*$", line)
            if sm:
                section = sm.group(1)
                docs[name][-1][2][section] = ""
            elif section:
                docs[name][-1][2][section] += line.strip()
    return docs


def directives(root):
    """rst file -> list of (pulled file, identifiers or None)."""
    pulls = []
    for rst in sorted(glob.glob(os.path.join(root, "Documentation/*.rst"))):
        lines = open(rst, encoding="utf-8").read().split("\n")
        for i, line in enumerate(lines):
            m = re.match(r"^\.\. kernel-doc:: (\S+)\s*$", line)
            if not m:
                continue
            idents = None
            opt = None
            for text in lines[i + 1:]:
                om = re.match(r"^\s+:(\w[\w-]*):\s*(.*)$", text)
                if om:
                    opt = om.group(1)
                    words = om.group(2).split()
                elif opt and re.match(r"^\s+\S", text):
                    words = text.split()  # the value goes on
                else:
                    break
                if opt in ("identifiers", "functions"):
                    idents = (idents or []) + words
            pulls.append((os.path.relpath(rst, root), m.group(1), idents))
    return pulls


def main():
    kdoc, root = sys.argv[1], os.path.abspath(sys.argv[2])
    headers = sorted(os.path.relpath(p, root) for p in
                     glob.glob(os.path.join(root, "include/go3s/*.h")))
    sources = sorted(os.path.relpath(p, root) for pat in SOURCES
                     for p in glob.glob(os.path.join(root, pat)))
    docs = kernel_docs(kdoc, root, headers + sources)
    pulls = directives(root)
    problems = []
    count = 0
    told = set()

    def problem(where, msg, once=None):
        """Report; a problem with a key @once is told once per header."""
        if once:
            if once in told:
                return
            told.add(once)
        problems.append("%s: %s" % (where, msg))

    for hdr in headers:
        htext = open(os.path.join(root, hdr), encoding="utf-8").read()
        seen = set()
        for name, kind, void, line in declarations(os.path.join(root, hdr)):
            if name in seen:
                continue
            seen.add(name)
            count += 1
            where = "%s:%d: %s()" % (hdr, line, name)
            found = docs.get(name)
            if not found and name.startswith("__"):
                found = docs.get(name.lstrip("_"))
            if not found:
                problem(where, "no kernel-doc comment")
                continue
            if len(found) > 1:
                problem(where, "kernel-doc in %d places: %s" %
                        (len(found), ", ".join(f[0] for f in found)))
            dfile, dvoid, sections = found[0]
            if kind == "function":
                void = dvoid if dfile != hdr else void
            if not sections.get("Context"):
                problem(where, "no Context: section (%s)" % dfile)
            if void and "Return" in sections:
                problem(where, "void function with a Return: section (%s)"
                        % dfile)
            if not void and not sections.get("Return"):
                problem(where, "no Return: section (%s)" % dfile)
            if dfile != hdr and dfile not in htext:
                problem(where, "documented in %s, which the header does not "
                        "name (told once per header)" % dfile,
                        once=(hdr, dfile, "named"))
            rsts = [rst for rst, f, ids in pulls
                    if f == dfile and (ids is None or name in ids or
                                       name.lstrip("_") in ids)]
            if not rsts:
                problem(where, "%s is not pulled into Documentation/ by a "
                        "kernel-doc directive" % dfile)
            elif not any(r in htext for r in rsts):
                problem(where, "the header names none of %s (where %s is "
                        "rendered)" % (", ".join(rsts), dfile),
                        once=(hdr, tuple(rsts), "rst"))
    for p in problems:
        print(p)
    print("api-doc: %d functions, %d problems" % (count, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
