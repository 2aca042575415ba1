import type { Command } from "commander";
import { register as inspect } from "./inspect.js";
import { register as fit } from "./fit.js";
import { register as cls } from "./cls.js";
import { register as limit } from "./limit.js";
import { register as significance } from "./significance.js";
import { register as generate } from "./generate.js";
import { register as hadd } from "./hadd.js";
import { register as ls } from "./ls.js";
import { register as dump } from "./dump.js";
import { register as run } from "./run.js";
import { register as plot } from "./plot.js";
import { register as build } from "./build.js";
import { register as workspace } from "./workspace.js";
import { register as ranking } from "./ranking.js";
import { register as scan } from "./scan.js";
import { register as gof } from "./gof.js";
import { register as yields } from "./yields.js";
import { register as datacard } from "./datacard.js";
import { register as demo } from "./demo.js";
import { register as draw } from "./draw.js";

/** Each command module exports `register(program)`; add one line here per module. */
export const commands: Array<(program: Command) => void> = [inspect, fit, cls, limit, significance, ls, dump, run, generate, hadd, build, workspace, ranking, scan, gof, yields, plot, datacard, demo, draw];
