#!/usr/bin/env bash
# Reproduces the Dockerfile's runtime stage without a Docker engine: production dependencies installed from the
# lockfile with `npm ci --omit=dev --ignore-scripts` in a directory outside the repository, the compiled CLI and
# the files it reads at run time copied beside them, then the CLI run through a `dss-gitops` symlink (as the
# image's ENTRYPOINT does) from an empty working directory. A dependency that only devDependencies bring, or a
# file the image forgets, fails here as it would in the container.
#
# It installs from the npm registry, so neither CI nor the test suite runs it. Keep the copies below in step with
# the runtime stage of the Dockerfile.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/dss-gitops-runtime.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

step() { printf '\n== %s\n' "$*"; }
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1f s", b - a }'; }

step "build (npm run build in $repo)"
(cd "$repo" && npm run build --silent)

app="$tmp/app"
mkdir -p "$app"
step "runtime install in $app"
cp "$repo/package.json" "$repo/package-lock.json" "$app/"
started=$(seconds)
(cd "$app" && NODE_ENV=production npm ci --omit=dev --ignore-scripts --no-audit --no-fund)
echo "npm ci --omit=dev took $(elapsed "$started")"
# The runtime stage's COPY lines.
cp -R "$repo/dist" "$app/dist"
cp -R "$repo/schemas" "$app/schemas"
cp -R "$repo/manifests-example" "$app/manifests-example"
cp -R "$repo/manifests-example-deployer" "$app/manifests-example-deployer"
cp -R "$repo/manifests-example-platform" "$app/manifests-example-platform"

bin="$tmp/bin"
mkdir -p "$bin"
ln -s "$app/dist/cli/main.js" "$bin/dss-gitops"
chmod +x "$app/dist/cli/main.js"

echo "runtime node_modules: $(du -sh "$app/node_modules" | cut -f1)"

# An empty working directory, as /workspace is in the image; the manifests are a copy outside the app.
work="$tmp/workspace"
mkdir -p "$work"
cp -R "$repo/manifests-example" "$work/manifests"
run() {
  (cd "$work" && env -i PATH="$bin:$PATH" HOME="$tmp" NODE_ENV=production "$@")
}

step "dss-gitops --version"
version=$(run dss-gitops --version)
expected=$(node -p "require('$repo/package.json').version")
echo "$version"
if [ "$version" != "$expected" ]; then
  echo "expected version $expected, got $version" >&2
  exit 1
fi

step "dss-gitops --help"
run dss-gitops --help

step "dss-gitops validate -f manifests"
run WAREHOUSE_PASSWORD=check-only dss-gitops validate -f manifests

step "dss-gitops plan --sim -f manifests"
status=0
run WAREHOUSE_PASSWORD=check-only dss-gitops plan --sim -f manifests --detailed-exitcode || status=$?
if [ "$status" != 2 ]; then
  echo "plan --sim --detailed-exitcode on an empty simulator should exit 2 (changes), got $status" >&2
  exit 1
fi

step "dss-gitops demo (reads the example manifests shipped in the image)"
started=$(seconds)
run dss-gitops demo > "$tmp/demo.log"
tail -n 1 "$tmp/demo.log"
echo "demo took $(elapsed "$started")"

step "runtime image check passed"
