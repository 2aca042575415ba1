// Start-up benchmark: real `hepflow` processes, as a user starts them (bin/hepflow.js, with its
// --single-threaded-gc shebang flag). One JSON line per case: median wall time and median CPU time
// (user + sys of the child, which other load on a shared machine inflates less than wall time),
// the target from issue 14 and whether the median wall time meets it. `node -e 0` is measured as
// the floor no command can go below. pyhf is not installed here, so the cls case compares with
// pyhf's in-process hypotest from shared/reference/stats/timings.pyhf.json (same machine type).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, "../bin/hepflow.js");
const shared = path.resolve(here, "../../shared");
const sbottom = path.join(shared, "reference/stats/sbottom-regionC");
const repeats = Number(process.env.HEPFLOW_BENCH_REPEATS ?? 7);

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall and CPU seconds of one child process. */
function once(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--single-threaded-gc", ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wall, stdout: r.stdout };
}

/** CPU seconds of children, from the parent's view of its reaped children (getrusage RUSAGE_CHILDREN). */
function childCpu() {
  const u = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  const tck = 100; // USER_HZ on Linux
  return (Number(u[13]) + Number(u[14])) / tck; // cutime + cstime (fields 16, 17)
}

function measure(name, args, extra = {}) {
  once(args); // warm the page cache and the OS's file metadata
  const walls = [],
    cpus = [];
  let stdout = "";
  for (let i = 0; i < repeats; i++) {
    const c0 = childCpu();
    const r = once(args);
    walls.push(r.wall);
    cpus.push(childCpu() - c0);
    stdout = r.stdout;
  }
  const wall = median(walls),
    cpu = median(cpus);
  const line = {
    bench: "startup",
    case: name,
    command: ["hepflow", ...args.slice(1)].join(" ").replaceAll(shared, "shared"),
    repeats,
    wall_median_s: Number(wall.toPrecision(4)),
    wall_min_s: Number(Math.min(...walls).toPrecision(4)),
    cpu_median_s: Number(cpu.toPrecision(3)),
    ...extra(wall, stdout),
  };
  console.log(JSON.stringify(line));
  return wall;
}

const floor = measure("node -e 0 (floor)", ["-e", "0"], () => ({}));
const target = (limit) => (wall) => ({ target_s: limit, meets_target: wall <= limit, above_floor_s: Number((wall - floor).toPrecision(3)) });
measure("--help", [bin, "--help"], target(0.15));
measure("ls uproot-HZZ.root", [bin, "ls", path.join(shared, "data/root/uproot-HZZ.root")], target(0.3));

const pyhf = JSON.parse(readFileSync(path.join(shared, "reference/stats/timings.pyhf.json"), "utf8")).sbottom[0];
const pyhfHypotest = pyhf.hypotest_mu1_qtilde_expected_set.median_s;
measure("cls sbottom-regionC BkgOnly + patch 1100_650_60", [bin, "cls", path.join(sbottom, "BkgOnly.json"), "--patch", path.join(sbottom, "patch.sbottom_1100_650_60.json"), "--json"], (wall, stdout) => {
  const cls = JSON.parse(stdout).CLs_obs ?? JSON.parse(stdout).cls_obs;
  return {
    CLs_obs: cls,
    pyhf_inprocess_hypotest_median_s: pyhfHypotest,
    pyhf_source: "timings.pyhf.json (pyhf is not importable on this machine), warm in-process hypotest, imports and model build excluded",
    ratio_pyhf_over_hepflow: Number((pyhfHypotest / wall).toPrecision(3)),
    target_ratio: 10,
    meets_target: pyhfHypotest / wall >= 10,
  };
});
