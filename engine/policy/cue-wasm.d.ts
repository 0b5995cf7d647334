/** The part of cue-wasm 1.0.0 (CUE v0.4.3 compiled to WASM) that rollcall uses. */
declare module 'cue-wasm' {
  export interface CueApi {
    /** Evaluates CUE text and exports it as JSON text; throws the error message (a string). */
    toJSON(cue: string): string;
  }
  export function init(): Promise<CueApi>;
}
