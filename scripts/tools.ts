/**
 * `node scripts/tools.ts` (run by `npm run setup` after opa): the deployment's tools into the git-ignored `.tools` —
 * `helm`, `kubeconform` and `promtool` as Go modules at pinned versions (the installer opa uses,
 * policy/src/goTool.ts), and the Kubernetes JSON schemas kubeconform validates against. Those come from the pinned `kubernetes-validate` package on
 * PyPI, which ships them for each Kubernetes minor version (the schemas' own repository is not a package registry):
 * downloaded with pip and the one version's strict set extracted with Python's zipfile, without their `$id`
 * (https://kubernetes.io/api/..., which would send kubeconform to the network for `_definitions.json`) and with their
 * `$ref`s to `/api/_definitions.json` made relative to the folder they are in.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureGoTool, type GoTool } from "@ndx/policy";

const toolsDir = resolve(import.meta.dirname, "../.tools");

const helm: GoTool = { name: "helm", module: "helm.sh/helm/v4", pkg: "helm.sh/helm/v4/cmd/helm", version: "v4.3.2" };
const kubeconform: GoTool = { name: "kubeconform", module: "github.com/yannh/kubeconform", pkg: "github.com/yannh/kubeconform/cmd/kubeconform", version: "v0.7.0" };
/** Prometheus' promtool (Prometheus 3.16: its Go module is tagged v0.316.0), to check and unit-test deploy/prometheus. */
const promtool: GoTool = { name: "promtool", module: "github.com/prometheus/prometheus", pkg: "github.com/prometheus/prometheus/cmd/promtool", version: "v0.316.0" };

/** The Kubernetes version the chart is validated for, and the package (and its version) that ships its schemas. */
export const kubernetesVersion = "1.34.0";
const schemaPackage = { name: "kubernetes-validate", version: "1.37.0" } as const;
const schemaDir: string = join(toolsDir, "kubernetes-json-schema");
/** kubeconform's -schema-location for the extracted schemas (`-local`: their $refs point at `_definitions.json`). */
const schemaLocation: string = join(schemaDir, "{{.NormalizedKubernetesVersion}}-local{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json");

function ensureKubernetesSchemas(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const marker = join(schemaDir, "installed.json");
  const wanted = JSON.stringify({ ...schemaPackage, kubernetesVersion, refs: "relative, no $id" });
  if (existsSync(marker) && readFileSync(marker, "utf8") === wanted) return schemaDir;
  log(`Installing the Kubernetes ${kubernetesVersion} JSON schemas from ${schemaPackage.name} ${schemaPackage.version} (pip, once)...`);
  const download = mkdtempSync(join(tmpdir(), "ndx-k8s-schemas-"));
  try {
    const pip = spawnSync(
      "python3",
      ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", `${schemaPackage.name}==${schemaPackage.version}`, "-d", download],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    if (pip.error !== undefined || pip.status !== 0) throw new Error(`pip download ${schemaPackage.name}==${schemaPackage.version} failed (Python 3 with pip is needed)`);
    const folder = `kubernetes_validate/kubernetes-json-schema/v${kubernetesVersion}-local-strict/`;
    const extract = [
      "import sys, zipfile, glob, os",
      "w = glob.glob(os.path.join(sys.argv[1], '*.whl'))[0]",
      "z = zipfile.ZipFile(w)",
      "names = [n for n in z.namelist() if n.startswith(sys.argv[2]) and n.endswith('.json')]",
      "assert names, 'no schemas for ' + sys.argv[2]",
      "out = os.path.join(sys.argv[3], os.path.basename(sys.argv[2].rstrip('/')))",
      "os.makedirs(out, exist_ok=True)",
      "import json",
      "for n in names:",
      "    schema = json.loads(z.read(n))",
      "    schema.pop('$id', None)",
      "    text = json.dumps(schema).replace('\"/api/_definitions.json#', '\"_definitions.json#')",
      "    open(os.path.join(out, os.path.basename(n)), 'w').write(text)",
    ].join("\n");
    rmSync(schemaDir, { recursive: true, force: true });
    const py = spawnSync("python3", ["-c", extract, download, folder, schemaDir], { stdio: ["ignore", "inherit", "inherit"] });
    if (py.status !== 0) throw new Error(`extracting the schemas from ${schemaPackage.name} failed`);
    writeFileSync(marker, wanted);
    return schemaDir;
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/** Every tool the chart's validation needs: helm, kubeconform and the schemas, each installed once. */
export function ensureChartTools(): { helm: string; kubeconform: string; schemaLocation: string } {
  return { helm: ensureGoTool(helm), kubeconform: ensureGoTool(kubeconform), schemaLocation: (ensureKubernetesSchemas(), schemaLocation) };
}

/**
 * promtool, for the alerting rules' checks and unit tests: the one on PATH when there is one (.ci/run takes Debian's
 * out of its prometheus package; the rules and their tests hold for Prometheus 2.42 and 3.x alike), else the pinned
 * one, built with go install once.
 */
export function ensurePromtool(): string {
  const onPath = spawnSync("promtool", ["--version"], { stdio: "ignore" });
  return onPath.error === undefined && onPath.status === 0 ? "promtool" : ensureGoTool(promtool);
}

if (import.meta.main) {
  const tools = ensureChartTools();
  process.stdout.write(`helm ready at ${tools.helm}\nkubeconform ready at ${tools.kubeconform}\nKubernetes ${kubernetesVersion} schemas at ${schemaDir}\n`);
  process.stdout.write(`promtool ready at ${ensurePromtool()}\n`);
}
