import { createRequire } from 'node:module';
import { dirname } from 'node:path';

type TypeScript = typeof import('typescript');

/**
 * Type-check a TypeScript job before it runs (tsx only strips types): with the job's own
 * tsconfig.json when there is one, else strict NodeNext settings. Uses the `typescript` the job's
 * project installed; resolves to a note when there is none, to the errors (file:line: message)
 * when there are some, or to undefined when the job type-checks.
 */
export async function typecheckJob(path: string): Promise<{ errors: string[] } | { skipped: string } | undefined> {
  let ts: TypeScript;
  try {
    ts = createRequire(path)('typescript') as TypeScript;
  } catch {
    return { skipped: `not type-checked: no typescript installed next to ${path} (npm install -D typescript)` };
  }
  const configPath = ts.findConfigFile(dirname(path), ts.sys.fileExists);
  const defaults: import('typescript').CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: ['node'],
  };
  let options = defaults;
  if (configPath !== undefined) {
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (parsed !== undefined) options = parsed.options;
  }
  const program = ts.createProgram([path], { ...options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length === 0) return undefined;
  return {
    errors: diagnostics.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.file === undefined || d.start === undefined) return message;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}:${line + 1}:${character + 1}: ${message}`;
    }),
  };
}
