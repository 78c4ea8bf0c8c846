import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Remote Config server template file that a test rewrites the way an operator publishes. */
export class TemplateFile {
  readonly dir = mkdtempSync(join(tmpdir(), 'flags-'));
  readonly path = join(this.dir, 'remote-config.template.json');
  private version = 0;

  /** Publishes `values` as parameter default values, with `extra` merged into the template. */
  publish(values: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
    this.version += 1;
    const parameters = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, { defaultValue: { value } }]),
    );
    this.write(
      JSON.stringify({
        etag: `etag-${this.version}`,
        version: { versionNumber: String(this.version) },
        conditions: [],
        parameters,
        ...extra,
      }),
    );
  }

  write(text: string): void {
    writeFileSync(this.path, text);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
