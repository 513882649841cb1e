/** The options of `mandate/one-way-imports` for this repository (eslint-rules/layers.js). */
export declare const LAYERS: {
  readonly root: string;
  readonly layers: readonly string[];
  readonly allow: readonly { readonly from: string; readonly to: string; readonly why: string }[];
};
