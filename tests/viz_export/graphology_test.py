#!/usr/bin/env python3
"""graphology-gexf (the JavaScript reader behind sigma.js) reads the graph writers' GEXF samples.

Installs graphology and graphology-gexf (pinned) with npm into WORK_DIR/npm, never into the
repository, writes the samples with `graph_writer_test --write-samples`, and checks with node that
the static GEXF 1.3 and 1.2draft samples parse to the expected graph: type, node and edge counts,
meta, labels, typed attribute values, viz color and size, weights. graphology-gexf keeps only the
last <attributes> block of each class, so it reads a dynamic file (a static and a dynamic block
per class) only with allowUndeclaredAttributes, static values then as strings; the test reads the
dynamic 1.3 sample that way and checks that dynamic attributes come out as their last value.

Exits 77 (CTest: skipped) when node or npm is missing or npm cannot install the packages (no
registry): those say nothing about the writers.

With SOFTPOWER (the CLI), it also runs a small scenario with an `export:` section and checks that
graphology reads the static GEXF 1.3 network `softpower run` wrote: every vertex and arc, the
institution's role, typed counts and the users' original labels.

usage: graphology_test.py GRAPH_WRITER_TEST WORK_DIR [SOFTPOWER]
"""
import os
import shutil
import subprocess
import sys

PACKAGES = ["graphology@0.26.0", "graphology-gexf@0.13.2"]
SKIP = 77

binary, work = sys.argv[1], sys.argv[2]
node, npm = shutil.which("node"), shutil.which("npm")
if node is None or npm is None:
    print("SKIP: node or npm not found (Debian packages nodejs, npm)")
    sys.exit(SKIP)

modules = os.path.join(work, "npm")
installed = os.path.join(modules, "node_modules", "graphology-gexf", "package.json")
if not os.path.exists(installed):
    os.makedirs(modules, exist_ok=True)
    try:
        result = subprocess.run([npm, "install", "--prefix", modules, "--no-audit", "--no-fund",
                                 "--loglevel=error", *PACKAGES],
                                capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        print("SKIP: npm install timed out (registry unreachable?)")
        sys.exit(SKIP)
    if result.returncode != 0 or not os.path.exists(installed):
        print(f"SKIP: npm install {' '.join(PACKAGES)} failed (registry unreachable?):\n"
              f"{result.stdout}{result.stderr}")
        sys.exit(SKIP)

samples = os.path.join(work, "samples")
shutil.rmtree(samples, ignore_errors=True)
subprocess.run([binary, "--write-samples", samples], check=True)

CHECK = r"""
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const {createRequire} = require('module');
const [modules, samples] = process.argv.slice(2);
const load = createRequire(path.join(modules, 'package.json'));
const Graph = load('graphology');
const gexf = load('graphology-gexf');
const read = (name, options) =>
  gexf.parse(Graph, fs.readFileSync(path.join(samples, name), 'utf8'), options);

// Attributes with a non-numeric id are named by their id, with a numeric id by their title.
const NODES = {
  '0': {label: '<&>"\'', group: 1, score: 0.25, seed: true, note: 'a&b <c> "d" \'e\'',
        big: 5000000000, color: 'rgb(255,0,0)', size: 10},
  '1': {label: 'Zo\u00eb \u4e2d\u6587 \u{1F600}', group: -2, score: 1e-7, seed: false, note: '',
        big: -1, color: 'rgb(0,128,255)', size: 0.5},
  '2': {},  // graphology drops an empty label
  '5': {label: 'tab\there\nnew line  two spaces ', score: 0.1, note: '  lead/trail  '},
  '7': {label: 'bad\ufffd byte', note: 'ctl\ufffdchar'},
};
const EDGES = {
  '0': ['0', '1', {weight: 1, relation: 'follow'}],
  '1': ['1', '2', {weight: 2.5, relation: '<&>'}],
  '2': ['5', '7', {weight: 0.1}],
  '3': ['7', '0', {weight: 0.001}],
};
const DESCRIPTION = 'sample graph: <&> "quotes" \'apos\' \u2014 \u00fcn\u00efc\u00f6d\u00e9';

for (const name of ['sample_static_1.3.gexf', 'sample_static_1.2draft.gexf']) {
  const g = read(name);
  assert.strictEqual(g.type, 'directed', name);
  assert.strictEqual(g.order, 5, name);
  assert.strictEqual(g.size, 4, name);
  assert.deepStrictEqual(g.getAttributes(), {creator: 'softpower', description: DESCRIPTION});
  for (const [id, want] of Object.entries(NODES)) {
    assert.deepStrictEqual(g.getNodeAttributes(id), want, `${name} node ${id}`);
  }
  for (const [id, [source, target, want]] of Object.entries(EDGES)) {
    assert.strictEqual(g.source(id), source, `${name} edge ${id}`);
    assert.strictEqual(g.target(id), target, `${name} edge ${id}`);
    assert.deepStrictEqual(g.getEdgeAttributes(id), want, `${name} edge ${id}`);
  }
  console.log(`ok   ${name}: ${g.order} nodes, ${g.size} edges, attributes as written`);
}

const dynamic = read('sample_dynamic_1.3.gexf', {allowUndeclaredAttributes: true});
assert.strictEqual(dynamic.order, 5);
assert.strictEqual(dynamic.size, 4);
assert.strictEqual(dynamic.getNodeAttribute('0', 'opinion'), -1);
assert.strictEqual(dynamic.getNodeAttribute('0', 'aware'), true);
assert.strictEqual(dynamic.getNodeAttribute('0', 'status'), 'a&b');
assert.strictEqual(dynamic.getNodeAttribute('1', 'opinion'), 0);
assert.strictEqual(dynamic.getEdgeAttribute('0', 'flow'), 3);
console.log('ok   sample_dynamic_1.3.gexf (allowUndeclaredAttributes): dynamic values read as the last');
let strict = 'reads';
try { read('sample_dynamic_1.3.gexf'); } catch (e) { strict = `rejects: ${e.message}`; }
console.log(`note graphology-gexf without allowUndeclaredAttributes ${strict}`);
"""

script = os.path.join(work, "graphology_check.js")
with open(script, "w", encoding="utf-8") as f:
    f.write(CHECK)
status = subprocess.run([node, script, modules, samples]).returncode
if status != 0 or len(sys.argv) < 4:
    sys.exit(status)

# A real export: 300 users on an Erdos-Renyi graph, the institution added as vertex 300.
SCENARIO = """name: graphology
seed: 4
time: {horizon_days: 2}
graph: {type: erdos_renyi, n: 300, mean_degree: 6, seed: 9}
institution: {placement: new, followers: 60}
diffusion: {model: independent_cascade, open_probability: 0.6, share_probability: 0.5, activity: 1.0}
export: {gexf: network.gexf}
"""
scenario = os.path.join(work, "graphology.yaml")
with open(scenario, "w", encoding="utf-8") as f:
    f.write(SCENARIO)
subprocess.run([sys.argv[3], "run", scenario, "-o", os.path.join(work, "graphology.h5"), "-q"], check=True)
network = os.path.join(work, "network.gexf")
with open(network, encoding="utf-8") as f:
    arcs = f.read().count("<edge ")
NETWORK = r"""
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const {createRequire} = require('module');
const [modules, file, arcs] = process.argv.slice(2);
const load = createRequire(path.join(modules, 'package.json'));
const g = load('graphology-gexf').parse(load('graphology'), fs.readFileSync(file, 'utf8'));
assert.strictEqual(g.order, 301);
assert.strictEqual(g.size, Number(arcs));
assert.strictEqual(g.getNodeAttribute('300', 'role'), 'institution');
assert.strictEqual(g.getNodeAttribute('300', 'label'), 'institution');
assert.strictEqual(g.getNodeAttribute('7', 'label'), '7');
let readers = 0;
g.forEachNode((id, a) => {
  assert.strictEqual(typeof a.first_exposure, 'number', id);
  assert.strictEqual(typeof a.reads, 'number', id);
  if (a.reads > 0) ++readers;
});
assert.ok(readers > 0, 'the run must have readers');
console.log(`ok   softpower run export: ${g.order} nodes, ${g.size} edges, ${readers} readers`);
"""
script = os.path.join(work, "graphology_network.js")
with open(script, "w", encoding="utf-8") as f:
    f.write(NETWORK)
sys.exit(subprocess.run([node, script, modules, network, str(arcs)]).returncode)
