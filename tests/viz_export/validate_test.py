#!/usr/bin/env python3
"""The graph writers' sample files against the GEXF schemas and the readers people use.

Writes the samples with `graph_writer_test --write-samples` (static and dynamic graphs as GEXF 1.3,
GEXF 1.2draft and GraphML, with labels such as <&>"', unicode, empty and invalid UTF-8), then:
- validates every GEXF 1.3 file with xmllint against viz_export/schemas/1.3/gexf.rng (and the 1.3
  .xsd, viz elements stripped: the .xsd rejects them, viz_export/schemas/README.txt);
- validates every GEXF 1.2draft file against the 1.2draft .rng and .xsd with its viz:* elements
  stripped, because both 1.2draft schemas reject viz:color and viz:size in the viz namespace (a
  known quirk of the published schemas, README.txt "Known schema quirks"; Gephi, NetworkX and
  graphology all read them). The stripped copy checks everything else;
- checks that every GraphML file is well-formed XML (no GraphML schema is available offline);
- reads the 1.2draft files (NetworkX 2.8 reads only 1.2draft GEXF) and the GraphML files with
  NetworkX and compares node and edge counts, labels, typed attribute values, dynamic intervals,
  viz color and size, and weights with what the samples hold.

usage: validate_test.py GRAPH_WRITER_TEST SOURCE_DIR WORK_DIR
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import networkx as nx

binary, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
schemas = os.path.join(source, "viz_export", "schemas")
samples = os.path.join(work, "samples")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
subprocess.run([binary, "--write-samples", samples], check=True)

failures = []


def check(ok, what):
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def xmllint(*args):
    """(valid, xmllint's complaint if not)."""
    result = subprocess.run(["xmllint", "--noout", *args], capture_output=True, text=True)
    return result.returncode == 0, "" if result.returncode == 0 else "\n" + result.stderr.strip()


def without_viz(path, version):
    """A copy of a GEXF file without its viz:* elements."""
    ns = "http://gexf.net/1.3" if version == "1.3" else "http://www.gexf.net/1.2draft"
    viz = ns + "/viz"
    ET.register_namespace("", ns)
    ET.register_namespace("viz", viz)
    tree = ET.parse(path)
    for parent in tree.iter():
        for child in [c for c in parent if c.tag.startswith("{" + viz + "}")]:
            parent.remove(child)
    stripped = os.path.join(work, os.path.basename(path) + ".noviz")
    tree.write(stripped, encoding="UTF-8", xml_declaration=True)
    return stripped


files = sorted(os.listdir(samples))
check(len(files) == 9, f"9 sample files written ({len(files)})")
for name in files:
    path = os.path.join(samples, name)
    if name.endswith("_1.3.gexf"):
        ok, err = xmllint("--relaxng", os.path.join(schemas, "1.3", "gexf.rng"), path)
        check(ok, f"{name}: valid against 1.3/gexf.rng {err}")
        ok, err = xmllint("--schema", os.path.join(schemas, "1.3", "gexf.xsd"), without_viz(path, "1.3"))
        check(ok, f"{name}: valid against 1.3/gexf.xsd without viz:* {err}")
    elif name.endswith("_1.2draft.gexf"):
        stripped = without_viz(path, "1.2draft")
        ok, err = xmllint("--relaxng", os.path.join(schemas, "1.2draft", "gexf.rng"), stripped)
        check(ok, f"{name}: valid against 1.2draft/gexf.rng without viz:* {err}")
        ok, err = xmllint("--schema", os.path.join(schemas, "1.2draft", "gexf.xsd"), stripped)
        check(ok, f"{name}: valid against 1.2draft/gexf.xsd without viz:* {err}")
    else:
        ok, err = xmllint(path)
        check(ok, f"{name}: well-formed {err}")

# What the samples hold (tests/viz_export/graph_writer_test.cpp, write_sample). Invalid UTF-8 and
# control characters were written as U+FFFD.
DESCRIPTION = "sample graph: <&> \"quotes\" 'apos' \u2014 \u00fcn\u00efc\u00f6d\u00e9"
NOTE = "Note <&>\"'"
NODES = {
    "0": {"label": "<&>\"'", "color": (255, 0, 0), "size": 10.0,
          "values": {"Group": 1, "Score (0-1)": 0.25, "Seed?": True, NOTE: "a&b <c> \"d\" 'e'",
                     "Big": 5000000000},
          "dynamic": {"Opinion": [(0.5, 0, 3), (0.75, 4, 8), (-1.0, 9, 10)], "Aware": [(True, 3, 10)],
                      "Status": [("<new>", 0, 1), ("a&b", 2, 10)]}},
    "1": {"label": "Zo\u00eb \u4e2d\u6587 \U0001F600", "color": (0, 128, 255), "size": 0.5,
          "values": {"Group": -2, "Score (0-1)": 1e-7, "Seed?": False, NOTE: "", "Big": -1},
          "dynamic": {"Opinion": [(0.0, 10, 10)]}},
    "2": {"label": "", "values": {}, "dynamic": {}},
    "5": {"label": "tab\there\nnew line  two spaces ", "values": {"Score (0-1)": 0.1, NOTE: "  lead/trail  "},
          "dynamic": {}},
    "7": {"label": "bad\ufffd byte", "values": {NOTE: "ctl\ufffdchar"}, "dynamic": {}},
}
EDGES = {
    ("0", "1"): {"id": "0", "weight": 1.0, "values": {"relation": "follow"}, "dynamic": {"flow": [(1, 2, 4), (3, 5, 10)]}},
    ("1", "2"): {"id": "1", "weight": 2.5, "values": {"relation": "<&>"}, "dynamic": {}},
    ("5", "7"): {"id": "2", "weight": 0.1, "values": {}, "dynamic": {}},
    ("7", "0"): {"id": "3", "weight": 0.001, "values": {}, "dynamic": {}},
}


def same(a, b):
    """Equal values of the same types, recursively (1, 1.0 and True differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def expected_node(node, fmt, dynamic):
    if fmt == "gexf":
        data = {"label": node["label"], **node["values"]}
        if dynamic:
            data.update(node["dynamic"])
        if "color" in node:
            r, g, b = node["color"]
            data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": node["size"]}
        return data
    # GraphML: dynamic attributes as their last value; NetworkX drops empty <data> elements.
    data = {"label": node["label"], **node["values"]}
    if dynamic:
        data.update({k: v[-1][0] for k, v in node["dynamic"].items()})
    if "color" in node:
        data.update(zip("rgb", node["color"]))
        data["size"] = node["size"]
    return {k: v for k, v in data.items() if v != ""}


def expected_edge(edge, fmt, dynamic):
    data = {"id": edge["id"], "weight": edge["weight"], **edge["values"]}
    if dynamic:
        data.update(edge["dynamic"] if fmt == "gexf" else {k: v[-1][0] for k, v in edge["dynamic"].items()})
    return data


for name in files:
    path = os.path.join(samples, name)
    if name.endswith("_1.3.gexf"):
        continue  # NetworkX 2.8 reads 1.2draft only; graphology_test.py reads 1.3
    fmt = "gexf" if name.endswith(".gexf") else "graphml"
    graph = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    check(type(graph) is nx.DiGraph, f"{name}: NetworkX reads a DiGraph ({type(graph).__name__})")
    if "empty" in name:
        check(graph.number_of_nodes() == 0 and graph.number_of_edges() == 0, f"{name}: empty")
        continue
    dynamic = "dynamic" in name
    check(graph.number_of_nodes() == len(NODES), f"{name}: {len(NODES)} nodes")
    check(graph.number_of_edges() == len(EDGES), f"{name}: {len(EDGES)} edges")
    for node_id, node in NODES.items():
        want = expected_node(node, fmt, dynamic)
        got = graph.nodes[node_id] if node_id in graph else None
        check(same(got, want), f"{name}: node {node_id} {got!r}" + ("" if same(got, want) else f" != {want!r}"))
    for (u, v), edge in EDGES.items():
        want = expected_edge(edge, fmt, dynamic)
        got = graph.edges[u, v] if graph.has_edge(u, v) else None
        check(same(got, want), f"{name}: edge {u}->{v} {got!r}" + ("" if same(got, want) else f" != {want!r}"))
    if fmt == "gexf":
        want = {"mode": "dynamic", "start": "0", "end": "10"} if dynamic else {"mode": "static"}
        got = {k: graph.graph[k] for k in ("mode", "start", "end") if k in graph.graph}
        check(got == want, f"{name}: graph {got}")

# Meta: creator and description (which NetworkX does not read).
for name in files:
    root = ET.parse(os.path.join(samples, name)).getroot()
    if name.endswith(".gexf"):
        ns = {"g": root.tag[1:].split("}")[0]}
        creator = root.findtext("g:meta/g:creator", namespaces=ns)
        description = root.findtext("g:meta/g:description", namespaces=ns)
    else:
        ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
        creator = root.findtext("g:desc", namespaces=ns)
        description = root.findtext("g:graph/g:desc", namespaces=ns)
    check(creator == "softpower" and description == DESCRIPTION, f"{name}: creator and description")

if failures:
    print(f"{len(failures)} failed", file=sys.stderr)
    sys.exit(1)
