// The two kinds of failure the CLI reports: a usage mistake (exit 2, the user should read --help) and
// anything else that went wrong (exit 1). Both become one line on stderr: `qs: <message>`.
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
