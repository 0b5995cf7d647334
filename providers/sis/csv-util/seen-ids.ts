/**
 * The first line of each sourcedId in a file, to report duplicates. Exports are usually sorted
 * by sourcedId (enrollments.csv: millions of rows), so while ids keep strictly increasing
 * (code-unit order) a duplicate can only be the previous id, and no hash map is needed: the
 * ids and lines go into two flat arrays. The first id out of order builds the map from them
 * and the file continues on the map. Same answers either way; much less memory and GC at
 * eight million rows.
 */
export class SeenIds {
  private ids: string[] = [];
  private lines: number[] = [];
  private last = '';
  private lastLine = 0;
  private map: Map<string, number> | undefined;

  /** The line where `id` was first recorded, or undefined. */
  get(id: string): number | undefined {
    if (this.map) return this.map.get(id);
    if (id > this.last || this.ids.length === 0) return undefined;
    if (id === this.last) return this.lastLine;
    this.toMap();
    return this.map!.get(id);
  }

  /** Record `id` (call only after get(id) returned undefined). */
  set(id: string, line: number): void {
    if (this.map) {
      this.map.set(id, line);
      return;
    }
    if (this.ids.length > 0 && !(id > this.last)) {
      this.toMap();
      this.map!.set(id, line);
      return;
    }
    this.ids.push(id);
    this.lines.push(line);
    this.last = id;
    this.lastLine = line;
  }

  private toMap(): void {
    const map = new Map<string, number>();
    for (let i = 0; i < this.ids.length; i++) map.set(this.ids[i]!, this.lines[i]!);
    this.map = map;
    this.ids = [];
    this.lines = [];
  }
}
