/** physics/: Lorentz-vector kernels over (pt, eta, phi, mass) columns, flat or jagged. */
export type { PtEtaPhiM, PxPyPzE } from "./vector.js";
export type { FloatColumn, OutColumn } from "./shape.js";
export type { Out } from "./vector.js";
export { toCartesian, px, py, pz, energy, pt, eta, phi, mass, toPtEtaPhiM, sumVectors, combinationSum, deltaPhi, deltaR } from "./vector.js";
export { invariantMass, pairMass } from "./mass.js";
export { boost } from "./boost.js";
