/** Records elapsed wall milliseconds per phase into `into`, when a benchmark asks for it (the core reads no clock). */
export function phaseClock(into: Record<string, number> | undefined): (phase: string) => void {
  let last = performance.now();
  return (phase) => {
    if (!into) return;
    const now = performance.now();
    into[phase] = Math.round(now - last);
    last = now;
  };
}
