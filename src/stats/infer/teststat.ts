/**
 * Profile-likelihood test statistics as pyhf defines them: t_mu = 2(NLL(mu, θ̂̂) − NLL(μ̂, θ̂))
 * clipped at 0; q_mu = 0 when μ̂ > mu; q0 = 0 when μ̂ < 0. The tilde variants differ only in
 * the POI's lower bound (0), which comes with the fit settings.
 */
import { HepflowError } from "../../util/index.js";
import type { Model } from "../model.js";
import { fit, fixedPoiFit } from "./mle.js";
import type { FitOptions, FitResult } from "./mle.js";

export type TestStatName = "q" | "qtilde" | "q0" | "t" | "ttilde";
export const TEST_STATS: TestStatName[] = ["q", "qtilde", "q0", "t", "ttilde"];

/** A test statistic value with the two fits behind it. */
export interface TestStatResult {
  value: number;
  fixedFit: FitResult;
  freeFit: FitResult;
}

/** Throw unless `name` is a known test statistic. */
export function checkTestStat(name: string): TestStatName {
  if (!TEST_STATS.includes(name as TestStatName)) {
    throw new HepflowError("SETTINGS_INVALID", `unknown test statistic "${name}" (choose one of ${TEST_STATS.join(", ")})`);
  }
  return name as TestStatName;
}

/** Evaluate test statistic `name` at POI value `mu`; `freeFit` may be passed in when already known (it does not depend on mu). */
export function testStatistic(name: TestStatName, mu: number, data: ArrayLike<number>, model: Model, opts: FitOptions = {}, freeFit?: FitResult): TestStatResult {
  const poi = model.config.poiIndex;
  if (poi === null) throw new HepflowError("NO_POI", "a POI is required for profile-likelihood test statistics");
  const m = name === "q0" ? 0 : mu;
  const fitOpts = { ...opts, uncertainties: false };
  const fixedFit = fixedPoiFit(m, data, model, fitOpts);
  const free = freeFit ?? fit(data, model, fitOpts);
  const t = Math.max(fixedFit.twiceNll - free.twiceNll, 0);
  const muhat = free.bestfit[poi]!;
  let value = t;
  if ((name === "q" || name === "qtilde") && muhat > m) value = 0;
  if (name === "q0" && muhat < 0) value = 0;
  return { value, fixedFit, freeFit: free };
}
