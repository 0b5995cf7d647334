/**
 * imsx_StatusInfoDType error bodies, as the 1.2 OpenAPI defines them for 400/401/403/404/
 * 422/429/500 (codeMajor failure, severity error, one codeMinor field naming the condition).
 */
export type CodeMinor = 'invalid_filter_field' | 'invalid_selection_field' | 'invaliddata' | 'unauthorisedrequest' | 'forbidden' | 'server_busy' | 'unknownobject' | 'internal_server_error';

export function imsxError(codeMinor: CodeMinor, description: string) {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }] },
  };
}
