/**
 * The `gws` target block the Google tests put in a scratch rollcall.yaml: the real provider
 * pointed at the local emulator by settings only (rootUrl, tokenUrl).
 */
export function googleTargetLines(emu: { url: string; tokenUrl: string }, keyEnv: string): string[] {
  return [
    '  gws:',
    '    provider: google',
    '    domain: maplewood.k12.example',
    `    rootUrl: ${emu.url}`,
    `    tokenUrl: ${emu.tokenUrl}`,
    `    credentialsEnv: ${keyEnv}`,
    '    subject: rollcall-admin@maplewood.k12.example',
    '    orgUnitRoot: /Rollcall',
    '    qpm: 1000000',
    '    concurrency: 8',
  ];
}
