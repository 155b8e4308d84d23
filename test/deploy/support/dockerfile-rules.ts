import { DockerfileParser, Instruction } from 'dockerfile-ast';

/**
 * Checks a Dockerfile against the rules this project's image follows. The
 * checks are ours, written over dockerfile-ast's parse tree, because
 * hadolint is neither on npm nor in Debian 12.
 */

export interface RuleViolation {
  rule: string;
  /** One-based line of the instruction. */
  line: number;
  message: string;
}

const INIT_PROGRAMS: Record<string, string> = { tini: 'tini', 'dumb-init': 'dumb-init' };

export function checkDockerfile(text: string): RuleViolation[] {
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  const finalStageStart = froms.at(-1)?.getRange().start.line ?? 0;
  const finalStage = instructions.filter((instruction) => instruction.getRange().start.line >= finalStageStart);
  const commentLines = new Set(dockerfile.getComments().map((comment) => comment.getRange().start.line));
  const buildArguments = new Map(
    dockerfile.getInitialARGs().map((argument) => [argument.getProperty()?.getName(), argument.getProperty()?.getValue()]),
  );

  const violations: RuleViolation[] = [];
  const report = (rule: string, instruction: Instruction | undefined, message: string): void => {
    violations.push({ rule, line: (instruction?.getRange().start.line ?? -1) + 1, message });
  };

  checkBaseImages(froms, buildArguments, report);
  checkAptUsage(instructions, report);
  checkUser(finalStage, report);
  checkHealthcheck(instructions, commentLines, report);
  checkStartCommand(instructions, finalStage, report);
  return violations;
}

type Report = (rule: string, instruction: Instruction | undefined, message: string) => void;

function checkBaseImages(
  froms: ReturnType<ReturnType<typeof DockerfileParser.parse>['getFROMs']>,
  buildArguments: Map<string | undefined, string | null | undefined>,
  report: Report,
): void {
  const stages = new Set<string>();
  for (const from of froms) {
    const image = (from.getImage() ?? '').replace(/\$\{?(\w+)\}?/g, (_match, name: string) => buildArguments.get(name) ?? '');
    const stage = from.getBuildStage();
    if (stages.has(image)) {
      if (stage) stages.add(stage);
      continue;
    }
    if (stage) stages.add(stage);

    const [name, digest] = image.split('@');
    const tag = /:([^/]+)$/.exec(name)?.[1];
    if (tag === 'latest') report('no-latest', from, `base image ${image} uses the latest tag`);
    else if (!digest && !(tag && /\d/.test(tag))) report('pinned-base-image', from, `base image "${image}" has no version tag or digest`);
  }
}

function checkAptUsage(instructions: Instruction[], report: Report): void {
  for (const instruction of instructions) {
    if (instruction.getKeyword() !== 'RUN') continue;
    const command = instruction.getArgumentsContent() ?? '';
    if (/\bnpm (?:i|install)\b[^&;|]*@latest\b/.test(command)) report('no-latest', instruction, 'npm installs a package at @latest');
    if (!/\bapt-get\s/.test(command)) continue;

    if (/\bapt-get\s+(?:-\S+\s+)*install\b/.test(command) && !command.includes('--no-install-recommends')) {
      report('apt-no-install-recommends', instruction, 'apt-get install without --no-install-recommends');
    }
    if (!command.includes('rm -rf /var/lib/apt/lists/*')) {
      report('apt-lists-cleaned', instruction, 'apt-get runs without removing /var/lib/apt/lists/* in the same RUN');
    }
    if (/\bapt-get\s+update\b/.test(command) && !/\bapt-get\s+(?:-\S+\s+)*install\b/.test(command)) {
      report('apt-update-with-install', instruction, 'apt-get update runs in a RUN without apt-get install, so a cached layer goes stale');
    }
  }
}

function checkUser(finalStage: Instruction[], report: Report): void {
  const user = finalStage.filter((instruction) => instruction.getKeyword() === 'USER').at(-1);
  const name = (user?.getArgumentsContent() ?? '').split(':')[0].trim();
  if (!user) report('non-root-user', finalStage[0], 'the final stage sets no USER, so it runs as root');
  else if (name === 'root' || name === '0') report('non-root-user', user, 'the final stage runs as root');
}

function checkHealthcheck(instructions: Instruction[], commentLines: Set<number>, report: Report): void {
  const healthcheck = instructions.find((instruction) => instruction.getKeyword() === 'HEALTHCHECK');
  if (!healthcheck) {
    report('healthcheck', undefined, 'no HEALTHCHECK instruction, and no HEALTHCHECK NONE with a reason');
    return;
  }
  const disabled = (healthcheck.getArgumentsContent() ?? '').trim().toUpperCase() === 'NONE';
  if (disabled && !commentLines.has(healthcheck.getRange().start.line - 1)) {
    report('healthcheck', healthcheck, 'HEALTHCHECK NONE needs a comment above it that says why');
  }
}

function checkStartCommand(instructions: Instruction[], finalStage: Instruction[], report: Report): void {
  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !(instruction.getArgumentsContent() ?? '').trim().startsWith('[')) {
      report('exec-form', instruction, `${keyword} uses the shell form, so signals reach /bin/sh instead of the program`);
    }
  }

  const entrypoint = finalStage.filter((instruction) => instruction.getKeyword() === 'ENTRYPOINT').at(-1);
  const first = /^\s*\[\s*"([^"]+)"/.exec(entrypoint?.getArgumentsContent() ?? '')?.[1] ?? '';
  const init = INIT_PROGRAMS[first.split('/').at(-1) ?? ''];
  if (!init) {
    report('init-process', entrypoint ?? finalStage[0], 'the ENTRYPOINT does not start with tini or dumb-init, so no init reaps zombies');
    return;
  }
  const installs = finalStage.some(
    (instruction) => instruction.getKeyword() === 'RUN' && new RegExp(`apt-get[^&]*install[\\s\\S]*\\b${init}\\b`).test(instruction.getArgumentsContent() ?? ''),
  );
  if (!installs) report('init-process', entrypoint, `the final stage does not install ${init}`);
}
