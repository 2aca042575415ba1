/** TypeScript shapes of pyhf's workspace JSON (schema 1.0.0). */

export interface HistoSysData {
  lo_data: number[];
  hi_data: number[];
}
export interface NormSysData {
  lo: number;
  hi: number;
}
/** One modifier entry on a sample. */
export type ModifierSpec =
  | { name: string; type: "histosys"; data: HistoSysData }
  | { name: string; type: "normsys"; data: NormSysData }
  | { name: string; type: "lumi" | "normfactor" | "shapefactor"; data: null }
  | { name: string; type: "shapesys" | "staterror"; data: number[] };
export type ModifierType = ModifierSpec["type"];

export interface SampleSpec {
  name: string;
  data: number[];
  modifiers: ModifierSpec[];
}
export interface ChannelSpec {
  name: string;
  samples: SampleSpec[];
}
/** Per-parameter settings from a measurement (override the modifier defaults). */
export interface ParameterSpec {
  name: string;
  inits?: number[];
  bounds?: [number, number][];
  auxdata?: number[];
  factors?: number[];
  sigmas?: number[];
  fixed?: boolean;
}
export interface MeasurementSpec {
  name: string;
  config: { poi: string; parameters: ParameterSpec[] };
}
export interface ObservationSpec {
  name: string;
  data: number[];
}
export interface WorkspaceSpec {
  channels: ChannelSpec[];
  measurements: MeasurementSpec[];
  observations: ObservationSpec[];
  version: "1.0.0";
}
/** The model part of a workspace: channels plus the chosen measurement's parameter settings. */
export interface ModelSpec {
  channels: ChannelSpec[];
  parameters?: ParameterSpec[];
}

/** Interpolation codes as pyhf's `modifier_settings` names them. */
export interface ModifierSettings {
  normsys?: { interpcode: "code1" | "code4" | "combine" };
  histosys?: { interpcode: "code0" | "code2" | "code4p" };
}
