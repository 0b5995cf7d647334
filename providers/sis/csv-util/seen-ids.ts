/**
 * The first line of each sourcedId in a file, to report duplicates. Exports are usually sorted
 * by sourcedId (enrollments.csv: millions of rows), so while ids keep strictly increasing
 * (code-unit order) a duplicate can only be the previous id, and no hash map is needed. The
 * first id out of order builds the map from the ids so far and the file continues on the map.
 * Same answers either way.
 *
 * While sorted, the ids are kept packed: every `chunk` of them joined into one string, their
 * ends and lines in typed arrays. Kept one by one, eight million enrollment ids were eight
 * million strings that every young-generation collection during the read copied and promoted,
 * and that each full collection marked, only to be dropped with the read.
 */
export class SeenIds {
  /** Sealed chunks: the ids joined, where each ends in the joined text, and their lines. */
  private readonly texts: string[] = [];
  private readonly ends: Int32Array[] = [];
  private readonly lines: Int32Array[] = [];
  /** The chunk being filled. */
  private ids: string[] = [];
  private idLines: number[] = [];
  private count = 0;
  private last = '';
  private lastLine = 0;
  private map: Map<string, number> | undefined;

  /** `chunk`: ids per packed string (tests use small ones to cross chunk boundaries). */
  constructor(private readonly chunk = 4096) {}

  /** The line where `id` was first recorded, or undefined. */
  get(id: string): number | undefined {
    if (this.map) return this.map.get(id);
    if (this.count === 0 || id > this.last) return undefined;
    if (id === this.last) return this.lastLine;
    return this.toMap().get(id);
  }

  /** Record `id` (call only after get(id) returned undefined). */
  set(id: string, line: number): void {
    if (this.map) {
      this.map.set(id, line);
      return;
    }
    if (this.count > 0 && !(id > this.last)) {
      this.toMap().set(id, line);
      return;
    }
    this.ids.push(id);
    this.idLines.push(line);
    this.count++;
    this.last = id;
    this.lastLine = line;
    if (this.ids.length === this.chunk) this.seal();
  }

  private seal(): void {
    const n = this.ids.length;
    const ends = new Int32Array(n);
    let at = 0;
    for (let i = 0; i < n; i++) ends[i] = at += this.ids[i]!.length;
    this.texts.push(this.ids.join(''));
    this.ends.push(ends);
    this.lines.push(Int32Array.from(this.idLines));
    this.ids = [];
    this.idLines = [];
  }

  private toMap(): Map<string, number> {
    const map = new Map<string, number>();
    for (let c = 0; c < this.texts.length; c++) {
      const text = this.texts[c]!;
      const ends = this.ends[c]!;
      const lines = this.lines[c]!;
      let from = 0;
      for (let i = 0; i < ends.length; i++) {
        map.set(text.substring(from, ends[i]!), lines[i]!);
        from = ends[i]!;
      }
    }
    for (let i = 0; i < this.ids.length; i++) map.set(this.ids[i]!, this.idLines[i]!);
    this.texts.length = this.ends.length = this.lines.length = 0;
    this.ids = [];
    this.idLines = [];
    this.map = map;
    return map;
  }
}
